// SPDX-License-Identifier: MIT
#include "analyzers/sbcl/library_search.h"

#include <cstring>

#include "analyzers/sbcl/file_reader.h"
#include "fingerprint/discover.h"
#include "fingerprint/ld_so_conf.h"
#include "fingerprint/paths.h"

namespace abitag::sbcl {
namespace {

// glibc's new cache format (elf/dl-cache.h): a 48-byte header, then 24-byte
// entries {int32 flags, u32 key, u32 value, u32 osversion, u64 hwcap} whose
// string offsets count from the header.
constexpr std::string_view kCacheMagic = "glibc-ld.so.cache1.1";
constexpr std::size_t kCacheHeaderSize = 48;
constexpr std::size_t kCacheEntrySize = 24;
constexpr std::uint32_t kFlagLibc6 = 0x0003;
constexpr std::uint32_t kFlagX8664 = 0x0300;
constexpr std::uint64_t kMaxCacheSize = 64 << 20;

std::uint32_t load32(std::string_view bytes, std::size_t offset) {
  std::uint32_t value;
  std::memcpy(&value, bytes.data() + offset, 4); // the cache is in the host's byte order
  return value;
}

// The paths (inside the root) the cache gives for SONAME, in cache order.
std::vector<std::string> cache_paths(const std::string &soname, const std::string &cache_path) {
  std::vector<std::string> out;
  llvm::Expected<FileReader> file = FileReader::open(cache_path);
  if (!file) {
    llvm::consumeError(file.takeError());
    return out;
  }
  if (file->size() > kMaxCacheSize)
    return out;
  llvm::Expected<std::string> bytes = file->read(0, file->size(), "ld.so.cache");
  if (!bytes) {
    llvm::consumeError(bytes.takeError());
    return out;
  }
  return ld_so_cache_lists(*bytes, soname);
}

} // namespace

std::vector<std::string> ld_so_cache_lists(std::string_view all, const std::string &soname) {
  std::vector<std::string> out;
  std::size_t start = all.find(kCacheMagic); // after the old-format part, if any
  if (start == std::string_view::npos || all.size() - start < kCacheHeaderSize)
    return out;
  std::string_view cache = all.substr(start);
  std::uint32_t count = load32(cache, kCacheMagic.size());
  if (count > (cache.size() - kCacheHeaderSize) / kCacheEntrySize)
    return out;
  auto string_at = [&](std::uint32_t offset) {
    std::string_view text = cache.substr(offset);
    return text.substr(0, text.find('\0'));
  };
  for (std::uint32_t i = 0; i < count; ++i) {
    std::size_t entry = kCacheHeaderSize + i * kCacheEntrySize;
    std::uint32_t flags = load32(cache, entry);
    std::uint32_t key = load32(cache, entry + 4);
    std::uint32_t value = load32(cache, entry + 8);
    if ((flags & 0xFF) != kFlagLibc6 || (flags & 0xFF00) != kFlagX8664 || key >= cache.size() ||
        value >= cache.size())
      continue;
    if (string_at(key) == soname)
      out.emplace_back(string_at(value));
  }
  return out;
}

namespace {

// A 64-bit little-endian x86-64 ELF file: what the x86-64 runtime can dlopen.
bool is_x86_64_elf(const std::string &path) {
  llvm::Expected<FileReader> file = FileReader::open(path);
  if (!file) {
    llvm::consumeError(file.takeError());
    return false;
  }
  llvm::Expected<std::string> head = file->read(0, 20, "ELF header");
  if (!head) {
    llvm::consumeError(head.takeError());
    return false;
  }
  return head->compare(0, 4, "\x7f" "ELF") == 0 && (*head)[4] == 2 && (*head)[5] == 1 &&
         static_cast<unsigned char>((*head)[18]) == 62 && (*head)[19] == 0;
}

} // namespace

bool soname_resolves(const std::string &soname, const LibrarySearch &search) {
  return soname_path(soname, search).has_value();
}

std::optional<std::string> soname_path(const std::string &soname, const LibrarySearch &search) {
  // PATH inside the root, with links taken under it.
  auto loadable = [&](const std::string &path) {
    llvm::Expected<std::string> host = resolve_under_root(search.root, path);
    if (!host) {
      llvm::consumeError(host.takeError());
      return false;
    }
    return is_x86_64_elf(*host);
  };
  llvm::Expected<std::string> cache = resolve_under_root(search.root, search.cache_path);
  if (cache) {
    // ld.so takes the cache's file, and searches on when it cannot open it
    // (a cache older than the files).
    for (const std::string &path : cache_paths(soname, *cache))
      if (loadable(path))
        return path;
  } else {
    llvm::consumeError(cache.takeError());
  }
  std::vector<std::string> dirs = read_ld_so_conf(search.root, search.conf_path);
  dirs.insert(dirs.end(), search.default_dirs.begin(), search.default_dirs.end());
  for (const std::string &dir : dirs)
    if (std::string path = join_path(dir, soname); loadable(path))
      return path;
  return std::nullopt;
}

} // namespace abitag::sbcl
