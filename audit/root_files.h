// The one walk of ROOT that every section shares: each file's first bytes
// are read once, on all cores, and sorted into what the sections look at
// (ELF programs and libraries, SBCL cores, folders of GHC package databases), so adding
// a section adds no walk.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/progress.h"
#include "fingerprint/discover.h"

namespace abitag::audit {

// Whether a folder at the top of a root is passed over by the walk: /proc,
// /sys, /dev, /run, /tmp, lost+found.
bool skipped_top_level(std::string_view name);

// Whether the first bytes are those of an ELF program or shared object
// (ET_EXEC or ET_DYN), in either byte order.
bool is_elf_program_or_library(std::string_view head);

struct RootFiles {
  std::vector<InputFile> elf;           // ELF programs and shared objects, in walk order
  std::vector<InputFile> sbcl_cores;    // files that start as SBCL cores do, in walk order
  std::vector<std::string> package_dbs; // host paths of folders named package.conf.d, sorted
  std::vector<InputError> errors;       // what could not be read, as host paths
};

// Walks ROOT (but its skipped top-level folders), or only the host paths in
// WALK when not empty; links are never followed (discover.h). ON_ELF, when
// given, is called on the walking threads with each ELF program or library
// as soon as it is found.
RootFiles find_root_files(const std::string &root, const std::vector<std::string> &walk, Progress &progress,
                          const std::function<void(const InputFile &)> &on_elf = {});

} // namespace abitag::audit
