#include "analyzers/sbcl/library_search.h"

#include <cstring>

#include "analyzers/sbcl/file_reader.h"
#include "fingerprint/ld_so_conf.h"

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

bool in_cache(const std::string &soname, const std::string &cache_path) {
  llvm::Expected<FileReader> file = FileReader::open(cache_path);
  if (!file) {
    llvm::consumeError(file.takeError());
    return false;
  }
  if (file->size() > kMaxCacheSize)
    return false;
  llvm::Expected<std::string> bytes = file->read(0, file->size(), "ld.so.cache");
  if (!bytes) {
    llvm::consumeError(bytes.takeError());
    return false;
  }
  return ld_so_cache_lists(*bytes, soname);
}

} // namespace

bool ld_so_cache_lists(std::string_view all, const std::string &soname) {
  std::size_t start = all.find(kCacheMagic); // after the old-format part, if any
  if (start == std::string_view::npos || all.size() - start < kCacheHeaderSize)
    return false;
  std::string_view cache = all.substr(start);
  std::uint32_t count = load32(cache, kCacheMagic.size());
  if (count > (cache.size() - kCacheHeaderSize) / kCacheEntrySize)
    return false;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::size_t entry = kCacheHeaderSize + i * kCacheEntrySize;
    std::uint32_t flags = load32(cache, entry);
    std::uint32_t key = load32(cache, entry + 4);
    if ((flags & 0xFF) != kFlagLibc6 || (flags & 0xFF00) != kFlagX8664 || key >= cache.size())
      continue;
    std::string_view name = cache.substr(key);
    name = name.substr(0, name.find('\0'));
    if (name == soname)
      return true;
  }
  return false;
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
  if (in_cache(soname, search.cache_path))
    return true;
  std::vector<std::string> dirs = read_ld_so_conf("/", search.conf_path);
  dirs.insert(dirs.end(), search.default_dirs.begin(), search.default_dirs.end());
  for (const std::string &dir : dirs)
    if (is_x86_64_elf(dir + "/" + soname))
      return true;
  return false;
}

} // namespace abitag::sbcl
