// SPDX-License-Identifier: MIT
// The symbol keys of the ELF files under ROOT, kept within a memory budget.
//
// The linkage check of a file needs its imports and the exports of every
// library in its scope. Keeping every file's keys from the scan until the
// checks means each file is read once, but the memory grows with the files:
// about 18 KB an ELF file, 48 MB for the 2,700 of this machine's /usr. Past
// the budget, keys are read again from their file when a check asks for
// them: a larger ROOT costs time, not memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include <llvm/Support/Error.h>

#include "audit/elf_facts.h"

namespace abitag::audit {

using FileId = std::pair<std::uint64_t, std::uint64_t>; // device, inode

// 256 MiB: five times what a /usr of 2,700 ELF files needs.
constexpr std::size_t kDefaultKeyBudget = std::size_t{256} << 20;

class SymbolKeyCache {
public:
  using Keys = std::shared_ptr<const SymbolKeys>;

  explicit SymbolKeyCache(std::size_t budget = kDefaultKeyBudget) : budget_(budget) {}

  // Keeps KEYS, read from the file ID by the scan, while the budget allows.
  void keep(FileId id, SymbolKeys keys);
  // How many checks will ask for the keys of the file ID (1 when not told):
  // its own, and one for each file that loads it.
  void expect(FileId id, std::size_t uses);
  // The keys of the file ID: the ones kept, or read again from HOST_PATH.
  // They stay valid while held, whatever the cache drops meanwhile.
  // Thread-safe.
  llvm::Expected<Keys> of(FileId id, const std::string &host_path);

  bool kept_all() const;        // whether every key given has been kept
  std::size_t rereads() const; // how many times keys were read again
  std::size_t kept_bytes() const;

private:
  // Which keys go first when room is needed: those fewest checks still
  // ask for, then those longest unused.
  using Rank = std::tuple<std::size_t, std::uint64_t, FileId>; // uses left, last use, file

  Rank rank_of(FileId id);
  void insert(FileId id, Keys keys, bool make_room); // with mutex_ held

  struct Slot {
    Keys keys;
    Rank rank; // its place in by_rank_
  };
  const std::size_t budget_;
  mutable std::mutex mutex_;
  std::map<FileId, Slot> kept_;
  std::set<Rank> by_rank_;                 // the keys kept, the first to go first
  std::map<FileId, std::size_t> uses_left_; // expected uses not made yet
  std::uint64_t clock_ = 0;                 // counts uses
  std::size_t used_ = 0;                    // bytes of the keys kept
  std::size_t rereads_ = 0;
  bool dropped_ = false; // some keys were not kept, or pushed out
};

} // namespace abitag::audit
