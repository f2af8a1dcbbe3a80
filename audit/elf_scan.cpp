// SPDX-License-Identifier: MIT
#include "audit/elf_scan.h"

#include <cstring>
#include <optional>
#include <unordered_map>
#include <sys/stat.h>

#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"

namespace abitag::audit {

EarlyReads::EarlyReads(bool census, std::shared_ptr<SymbolKeyCache> keys) : census_(census), keys_(std::move(keys)) {
  readers_ = start_helpers(io_threads(), [this] { work(); });
}

EarlyReads::Result EarlyReads::read(const std::string &path) const {
  Result out;
  auto facts = read_elf_facts(path, census_);
  if (facts)
    out.facts = std::move(*facts);
  else
    out.failure = to_message(facts.takeError());
  return out;
}

void EarlyReads::offer(const InputFile &file) {
  FileId id{file.device, file.inode};
  std::lock_guard<std::mutex> lock(mutex_);
  // With no reader started, nothing is taken here: ElfScan::read reads
  // what was not read early, on whatever threads there are.
  if (readers_.empty() || !results_.emplace(id, std::nullopt).second)
    return;
  queue_.emplace_back(id, file.open_path);
  wake_.notify_one();
}

void EarlyReads::work() {
  while (true) {
    std::pair<FileId, std::string> next;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return !queue_.empty() || finished_; });
      if (queue_.empty())
        return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    Result result = read(next.second);
    if (result.facts) // kept now, within the budget: the rest waits here until the walk ends
      keys_->keep(next.first, std::move(result.facts->keys));
    std::lock_guard<std::mutex> lock(mutex_);
    results_[next.first] = std::move(result);
  }
}

void EarlyReads::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  wake_.notify_all();
  for (std::thread &reader : readers_)
    reader.join();
  readers_.clear();
}

std::optional<EarlyReads::Result> EarlyReads::take(FileId id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = results_.find(id);
  if (it == results_.end() || !it->second)
    return std::nullopt;
  std::optional<Result> out = std::move(it->second);
  results_.erase(it);
  return out;
}

ElfScan::ElfScan(std::string root, Progress &progress, bool census) : ElfScan(root, {}, progress, census) {}

ElfScan::ElfScan(std::string root, const std::vector<std::string> &walk, Progress &progress, bool census,
                 std::shared_ptr<SymbolKeyCache> keys)
    : root_(std::move(root)), keys_(keys ? std::move(keys) : std::make_shared<SymbolKeyCache>()) {
  EarlyReads early(census, keys_);
  RootFiles found =
      find_root_files(root_, walk, false, progress, [&](const InputFile &file) { early.offer(file); });
  read(std::move(found.elf), std::move(found.errors), progress, census, &early);
}

ElfScan::ElfScan(std::string root, std::vector<InputFile> files, std::vector<InputError> unreadable,
                 Progress &progress, bool census, EarlyReads *early, std::shared_ptr<SymbolKeyCache> keys)
    : root_(std::move(root)), keys_(keys ? std::move(keys) : std::make_shared<SymbolKeyCache>()) {
  read(std::move(files), std::move(unreadable), progress, census, early);
}

// Takes what the walk read already, then reads the rest, largest first, on
// all cores (and more threads than cores: the pages of a mapped file may
// have to come from the disk).
void ElfScan::read(std::vector<InputFile> files, std::vector<InputError> unreadable, Progress &progress,
                   bool census, EarlyReads *early) {
  unreadable_ = std::move(unreadable);
  if (early)
    early->finish();
  std::vector<std::optional<ElfFacts>> facts(files.size());
  std::vector<std::string> failures(files.size());
  std::vector<std::uint64_t> sizes;
  std::vector<std::size_t> unread;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::optional<EarlyReads::Result> done = early ? early->take({files[i].device, files[i].inode}) : std::nullopt;
    if (done) {
      facts[i] = std::move(done->facts);
      failures[i] = std::move(done->failure);
      continue;
    }
    unread.push_back(i);
    sizes.push_back(files[i].size);
  }
  std::vector<std::size_t> order = largest_first(sizes);
  if (!unread.empty()) // files named rather than walked, or any walk that did not read them
    progress.begin("reading", unread.size());
  parallel_for(order.size(), [&](std::size_t n) {
    std::size_t i = unread[order[n]];
    auto read = read_elf_facts(files[i].open_path, census);
    if (read) {
      keys_->keep({files[i].device, files[i].inode}, std::move(read->keys));
      facts[i] = std::move(*read);
    } else
      failures[i] = to_message(read.takeError());
    progress.advance();
  }, io_threads());
  progress.end();

  for (std::size_t i = 0; i < files.size(); ++i) {
    const InputFile &file = files[i];
    FileId id{file.device, file.inode};
    if (!facts[i]) {
      unreadable_.push_back({inside_root(file.path), failures[i]});
      failed_[id] = failures[i];
      continue;
    }
    entries_.push_back({inside_root(file.path), file.open_path, id, std::move(*facts[i])});
    by_id_[id] = &entries_.back();
  }
  walked_ = entries_.size();
  if (!keys_->kept_all())
    expect_uses();
  for (InputError &error : unreadable_)
    if (error.path.rfind(root_, 0) == 0)
      error.path = inside_root(error.path);
}

// How often the linkage checks will ask for each file's keys: once for its
// own check, once for each file that names it in DT_NEEDED (those that load
// it only through another library are not counted).
void ElfScan::expect_uses() {
  std::unordered_map<std::string_view, std::size_t> needers;
  for (const ElfEntry &entry : entries_)
    for (const std::string &name : entry.facts.needed)
      ++needers[name];
  for (const ElfEntry &entry : entries_) {
    std::string_view file = std::string_view(entry.path).substr(entry.path.rfind('/') + 1);
    std::size_t uses = entry.facts.loadable() ? 1 : 0;
    if (auto it = needers.find(file); it != needers.end())
      uses += it->second;
    if (auto it = needers.find(entry.facts.soname); entry.facts.soname != file && it != needers.end())
      uses += it->second;
    keys_->expect(entry.id, uses);
  }
}

std::string ElfScan::inside_root(const std::string &host_path) const {
  return view_ ? view_->inside(host_path) : path_inside_root(root_, host_path);
}

const ElfEntry *ElfScan::entry_at(const std::string &host_path, std::string *why) {
  struct stat st;
  if (::stat(host_path.c_str(), &st) != 0) {
    *why = std::strerror(errno);
    return nullptr;
  }
  return entry_at(host_path, st, why);
}

const ElfEntry *ElfScan::entry_at(const std::string &host_path, const struct stat &st, std::string *why) {
  FileId id{st.st_dev, st.st_ino};
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = by_id_.find(id); it != by_id_.end())
    return it->second;
  if (auto it = failed_.find(id); it != failed_.end()) {
    *why = it->second;
    return nullptr;
  }
  // Outside the walk (a hard link elsewhere, a skipped folder): read it now.
  auto read = read_elf_facts(host_path, /*census=*/false); // only walked files are counted
  if (!read) {
    *why = failed_[id] = to_message(read.takeError());
    return nullptr;
  }
  keys_->keep(id, std::move(read->keys));
  entries_.push_back({inside_root(host_path), host_path, id, std::move(*read)});
  by_id_[id] = &entries_.back();
  return &entries_.back();
}

} // namespace abitag::audit
