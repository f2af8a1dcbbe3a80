// The one pass over ROOT that the ELF sections (cxxabi, linkage) share:
// every ELF program and shared object found by content, read once, in
// parallel, into compact ElfFacts.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/elf_facts.h"
#include "audit/progress.h"
#include "fingerprint/errors.h"

namespace abitag::audit {

// Whether a folder at the top of a root is passed over by every walk of the
// audit: /proc, /sys, /dev, /run, /tmp, lost+found.
bool skipped_top_level(std::string_view name);

// The folders a walk of all of ROOT starts from: its top-level folders, sorted,
// except the skipped ones and the top-level links (/lib -> usr/lib leads to a
// folder walked anyway).
std::vector<std::string> top_level_folders(const std::string &root);

struct ElfEntry {
  std::string path;      // inside ROOT, as the system sees it: "/usr/lib/libfoo.so.1"
  std::string host_path; // where abitag opens it
  ElfFacts facts;
};

class ElfScan {
public:
  // Walks ROOT (its top-level folders except proc, sys, dev, run and tmp,
  // and not the top-level links such as /lib -> usr/lib) and reads every ELF
  // program and shared object.
  // CENSUS: classify the C++ ABI of the files walked too (the cxxabi section).
  ElfScan(std::string root, Progress &progress, bool census = true);
  // Reads only the files and folders in WALK (host paths inside ROOT); the
  // libraries they load are read when the loader asks for them.
  ElfScan(std::string root, const std::vector<std::string> &walk, Progress &progress, bool census = true);

  const std::string &root() const { return root_; }
  const std::deque<ElfEntry> &entries() const { return entries_; }
  std::size_t walked() const { return walked_; } // entries read by the walk
  // Files found that could not be read or parsed, in walk order.
  const std::vector<InputError> &unreadable() const { return unreadable_; }

  // The entry for the file at HOST_PATH (already resolved under ROOT), read
  // now when the walk did not reach it; null when it cannot be read, with the
  // reason in *why. Thread-safe.
  const ElfEntry *entry_at(const std::string &host_path, std::string *why);

  // "/usr/lib/x" for "<root>/usr/lib/x".
  std::string inside_root(const std::string &host_path) const;

private:
  using FileId = std::pair<std::uint64_t, std::uint64_t>; // device, inode

  std::string root_;
  std::deque<ElfEntry> entries_; // stable addresses: entries added later keep earlier ones valid
  std::size_t walked_ = 0;
  std::vector<InputError> unreadable_;
  std::map<FileId, const ElfEntry *> by_id_;
  std::map<FileId, std::string> failed_; // files that could not be read, with why
  std::mutex mutex_;
};

// Whether the first bytes are those of an ELF program or shared object
// (ET_EXEC or ET_DYN), in either byte order.
bool is_elf_program_or_library(std::string_view head);

} // namespace abitag::audit
