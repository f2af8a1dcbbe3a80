// SPDX-License-Identifier: MIT
#include "analyzers/sbcl/space_directory.h"

#include "fingerprint/errors.h"

namespace abitag::sbcl {
namespace {

// zstd frames start with 28 B5 2F FD (SBCL 2.2.6 on), zlib streams with 0x78
// (SBCL 1.0.52 to 2.2.5).
Compression sniff_compression(std::string_view head) {
  if (head == std::string_view("\x28\xB5\x2F\xFD", 4))
    return Compression::Zstd;
  if (!head.empty() && head[0] == '\x78')
    return Compression::Zlib;
  return Compression::Unknown;
}

bool multiply(std::uint64_t a, std::uint64_t b, std::uint64_t &out) {
  return !__builtin_mul_overflow(a, b, &out);
}

std::string describe(const SpaceEntry &space) {
  return std::string("space ") + space_name(space.id) + " (data page " + std::to_string(space.data_page) +
         ", " + std::to_string(space.page_count) + " pages)";
}

} // namespace

const char *compression_name(Compression compression) {
  switch (compression) {
  case Compression::None: return "none";
  case Compression::Zstd: return "zstd";
  case Compression::Zlib: return "zlib";
  case Compression::Unknown: break;
  }
  return "unknown";
}

llvm::Expected<std::vector<PlacedSpace>> place_spaces(const FileReader &file, const CoreHeader &header) {
  std::vector<PlacedSpace> out;
  std::uint64_t page = header.page_size;
  for (const SpaceEntry &entry : header.spaces) {
    PlacedSpace space{entry};
    std::uint64_t relative;
    bool fits = multiply(entry.data_page + 1, page, relative) && entry.data_page + 1 != 0 &&
                multiply(entry.page_count, page, space.memory_bytes) &&
                !__builtin_add_overflow(header.location.core_start, relative, &space.file_offset);
    std::uint64_t stored = entry.compressed ? 1 : space.memory_bytes;
    if (!fits || !file.contains(space.file_offset, stored))
      return make_error("directory entry outside the file: " + describe(entry) + " at offset " +
                        std::to_string(space.file_offset) + " with " + std::to_string(stored) +
                        " bytes, but the file has " + std::to_string(file.size()) + " bytes");
    if (entry.nwords > space.memory_bytes / header.location.word.size)
      return make_error(describe(entry) + " claims " + std::to_string(entry.nwords) +
                        " words, more than its pages hold");
    if (entry.compressed) {
      std::uint64_t head_size = std::min<std::uint64_t>(4, file.size() - space.file_offset);
      llvm::Expected<std::string> head = file.read(space.file_offset, head_size, describe(entry));
      if (!head)
        return head.takeError();
      space.compression = sniff_compression(*head);
    }
    out.push_back(space);
  }
  return out;
}

} // namespace abitag::sbcl
