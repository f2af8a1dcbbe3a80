// SPDX-License-Identifier: MIT
#include "audit/symbol_key_cache.h"

namespace abitag::audit {

// The scan's keys are kept while there is room and push out none: nothing
// is known yet of which will be wanted most. Keys read again for a check
// are kept when they rank above the keys they would push out: a library
// that many files load is read again once, not once per file, while the
// imports of a file checked already, which nothing asks for again, go
// first.
void SymbolKeyCache::keep(FileId id, SymbolKeys keys) {
  auto shared = std::make_shared<const SymbolKeys>(std::move(keys));
  std::lock_guard<std::mutex> lock(mutex_);
  insert(id, std::move(shared), /*make_room=*/false);
}

void SymbolKeyCache::expect(FileId id, std::size_t uses) {
  std::lock_guard<std::mutex> lock(mutex_);
  uses_left_[id] = uses;
  if (auto it = kept_.find(id); it != kept_.end()) {
    by_rank_.erase(it->second.rank);
    it->second.rank = rank_of(id);
    by_rank_.insert(it->second.rank);
  }
}

SymbolKeyCache::Rank SymbolKeyCache::rank_of(FileId id) {
  auto left = uses_left_.find(id);
  return {left == uses_left_.end() ? 1 : left->second, clock_, id};
}

void SymbolKeyCache::insert(FileId id, Keys keys, bool make_room) {
  std::size_t size = keys->bytes();
  if (kept_.count(id))
    return;
  dropped_ |= used_ + size > budget_;
  if (size > budget_)
    return; // too large to keep at all: read whenever asked for
  Rank rank = rank_of(id);
  if (used_ + size > budget_) {
    if (!make_room)
      return;
    // Only keys that rank below it make room for it.
    std::size_t room = budget_ - used_;
    for (auto it = by_rank_.begin(); room < size && it != by_rank_.end() && *it < rank; ++it)
      room += kept_.at(std::get<FileId>(*it)).keys->bytes();
    if (room < size)
      return;
    while (used_ + size > budget_) {
      auto first = kept_.find(std::get<FileId>(*by_rank_.begin()));
      used_ -= first->second.keys->bytes();
      by_rank_.erase(by_rank_.begin());
      kept_.erase(first);
    }
  }
  by_rank_.insert(rank);
  kept_.emplace(id, Slot{std::move(keys), rank});
  used_ += size;
}

llvm::Expected<SymbolKeyCache::Keys> SymbolKeyCache::of(FileId id, const std::string &host_path) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!dropped_) { // everything fits: no ranks to keep
      if (auto it = kept_.find(id); it != kept_.end())
        return it->second.keys;
    }
    ++clock_;
    auto left = uses_left_.find(id);
    if (left != uses_left_.end() && left->second > 0)
      --left->second;
    else if (left == uses_left_.end())
      uses_left_[id] = 0;
    if (auto it = kept_.find(id); it != kept_.end()) {
      by_rank_.erase(it->second.rank);
      it->second.rank = rank_of(id);
      by_rank_.insert(it->second.rank);
      return it->second.keys;
    }
    ++rereads_;
  }
  // Read without the lock: other threads' checks go on meanwhile.
  auto facts = read_elf_facts(host_path, /*census=*/false);
  if (!facts)
    return facts.takeError();
  auto keys = std::make_shared<const SymbolKeys>(std::move(facts->keys));
  std::lock_guard<std::mutex> lock(mutex_);
  insert(id, keys, /*make_room=*/true);
  return keys;
}

bool SymbolKeyCache::kept_all() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !dropped_;
}

std::size_t SymbolKeyCache::rereads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rereads_;
}

std::size_t SymbolKeyCache::kept_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}

} // namespace abitag::audit
