// SPDX-License-Identifier: MIT
// The one pass over ROOT that the ELF sections (cxxabi, linkage) share:
// every ELF program and shared object found by content, read once, in
// parallel, into compact ElfFacts.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <sys/stat.h>

#include "audit/elf_facts.h"
#include "audit/progress.h"
#include "audit/root_files.h"
#include "audit/root_view.h"
#include "audit/symbol_key_cache.h"
#include "fingerprint/errors.h"

namespace abitag::audit {

struct ElfEntry {
  std::string path;      // inside ROOT, as the system sees it: "/usr/lib/libfoo.so.1"
  std::string host_path; // where abitag opens it
  FileId id;
  ElfFacts facts;        // without its symbol keys: ElfScan::keys_of has them
};

// ELF files read while the walk that finds them goes on, by threads of
// their own: the walking threads spend much of their time waiting for the
// disk (the first bytes of every file), and reading the files found so far
// fills that time, where reading them after the walk left the disk idle
// and then the cores. Readers of their own, rather than the walking thread
// that met the file, so a folder of a thousand libraries is not read by one.
class EarlyReads {
public:
  // The symbol keys of the files read go to KEYS.
  EarlyReads(bool census, std::shared_ptr<SymbolKeyCache> keys);
  ~EarlyReads() { finish(); }
  EarlyReads(const EarlyReads &) = delete;
  EarlyReads &operator=(const EarlyReads &) = delete;

  // Queues FILE for reading (thread-safe); a file met again through a hard
  // link is read once.
  void offer(const InputFile &file);
  // Returns when every file offered has been read.
  void finish();

  struct Result {
    std::optional<ElfFacts> facts;
    std::string failure; // why not, when there are no facts
  };
  // What was made of the file ID, or nullopt when it was not offered; once.
  std::optional<Result> take(FileId id);

private:
  Result read(const std::string &path) const;
  void work();

  bool census_;
  std::shared_ptr<SymbolKeyCache> keys_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<FileId, std::string>> queue_; // offered, not yet taken by a reader
  bool finished_ = false;
  std::map<FileId, std::optional<Result>> results_; // nullopt: queued or being read
  std::vector<std::thread> readers_;
};

class ElfScan {
public:
  // Reads FILES (found under ROOT by find_root_files), whose walk could not
  // read the files in UNREADABLE.
  // CENSUS: classify the C++ ABI of the files walked too (the cxxabi section).
  // EARLY: what was read of them during the walk. KEYS: where the symbol
  // keys go, the one EARLY uses (null: a new one, of the default budget).
  ElfScan(std::string root, std::vector<InputFile> files, std::vector<InputError> unreadable, Progress &progress,
          bool census = true, EarlyReads *early = nullptr, std::shared_ptr<SymbolKeyCache> keys = nullptr);
  // Walks ROOT, or only the host paths in WALK, then reads what it found
  // (KEYS as above).
  ElfScan(std::string root, Progress &progress, bool census = true);
  ElfScan(std::string root, const std::vector<std::string> &walk, Progress &progress, bool census = true,
          std::shared_ptr<SymbolKeyCache> keys = nullptr);

  const std::string &root() const { return root_; }
  const std::deque<ElfEntry> &entries() const { return entries_; }
  std::size_t walked() const { return walked_; } // entries read by the walk
  // Files found that could not be read or parsed, in walk order.
  const std::vector<InputError> &unreadable() const { return unreadable_; }

  // The entry for the file at HOST_PATH (already resolved under ROOT), read
  // now when the walk did not reach it; null when it cannot be read, with the
  // reason in *why. Thread-safe.
  const ElfEntry *entry_at(const std::string &host_path, std::string *why);
  // The same for a file whose stat(2) the caller has made already.
  const ElfEntry *entry_at(const std::string &host_path, const struct stat &st, std::string *why);

  // ENTRY's imports and exports, kept or read again (see SymbolKeyCache).
  llvm::Expected<SymbolKeyCache::Keys> keys_of(const ElfEntry &entry) { return keys_->of(entry.id, entry.host_path); }
  const SymbolKeyCache &key_cache() const { return *keys_; }

  // "/usr/lib/x" for "<root>/usr/lib/x".
  std::string inside_root(const std::string &host_path) const;

  // ROOT seen through VIEW (an image laid over it): files are named and
  // searched for in the view. Set before any file is read; VIEW outlives the scan.
  void set_view(const RootView *view) { view_ = view; }
  const RootView *view() const { return view_; }

private:
  void read(std::vector<InputFile> files, std::vector<InputError> unreadable, Progress &progress, bool census,
            EarlyReads *early);
  void expect_uses();

  std::string root_;
  const RootView *view_ = nullptr;
  std::shared_ptr<SymbolKeyCache> keys_;
  std::deque<ElfEntry> entries_; // stable addresses: entries added later keep earlier ones valid
  std::size_t walked_ = 0;
  std::vector<InputError> unreadable_;
  std::map<FileId, const ElfEntry *> by_id_;
  std::map<FileId, std::string> failed_; // files that could not be read, with why
  std::mutex mutex_;
};

} // namespace abitag::audit
