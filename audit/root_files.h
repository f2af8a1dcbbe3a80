// SPDX-License-Identifier: MIT
// The one walk of ROOT that every section shares: each file's first bytes
// are read once, on all cores, and sorted into what the sections look at
// (ELF programs and libraries, SBCL cores, folders of GHC package databases), so adding
// a section adds no walk.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/progress.h"
#include "audit/report.h"
#include "fingerprint/discover.h"

namespace abitag::audit {

// Why a folder at the top of a root is passed over by the walk ("pseudo file
// system": /proc, /sys, /dev; "scratch space": /run, /tmp; lost+found), or
// null when it is walked.
const char *skipped_top_level(std::string_view name);

// Whether the first bytes are those of an ELF program or shared object
// (ET_EXEC or ET_DYN), in either byte order.
bool is_elf_program_or_library(std::string_view head);

// A folder the walk could not read.
struct UnreadFolder {
  std::string path; // host path
  std::string reason;
  // The files in it, when it could be listed but not entered (read but no
  // search permission); unknown when it could not be opened at all.
  std::optional<std::size_t> files;
};

// A folder the walk passed over, and why.
struct SkippedFolder {
  std::string path; // host path
  std::string why;  // "pseudo file system", "scratch space", "another file system"...
};

struct RootFiles {
  std::vector<InputFile> elf;           // ELF programs and shared objects, in walk order
  std::vector<InputFile> sbcl_cores;    // files that start as SBCL cores do, in walk order
  std::vector<std::string> package_dbs; // host paths of folders named package.conf.d, sorted
  std::vector<InputError> errors;       // files that could not be read, as host paths
  std::vector<UnreadFolder> unread_folders; // sorted
  std::vector<InputError> not_wanted;   // paths in WALK that are neither ELF programs nor SBCL cores
  std::vector<SkippedFolder> skipped;   // top-level folders and other file systems not entered, sorted
};

// Walks ROOT (but its skipped top-level folders), or only the host paths in
// WALK when not empty; links are never followed (discover.h); with
// ONE_FILE_SYSTEM, folders on another file system than ROOT (or each path of
// WALK) are not entered. ON_ELF, when given, is called on the walking
// threads with each ELF program or library as soon as it is found.
RootFiles find_root_files(const std::string &root, const std::vector<std::string> &walk, bool one_file_system,
                          Progress &progress, const std::function<void(const InputFile &)> &on_elf = {});

// What the walk covered, as the report's "walk" part: informational findings
// for the folders and files it could not read and the --under paths with
// nothing to audit, and a summary naming the folders it did not enter.
SectionReport walk_report(const RootFiles &files, const std::string &root, bool one_file_system);

} // namespace abitag::audit
