// SPDX-License-Identifier: MIT
// Finding the core in a file: CORE_MAGIC at offset 0 (a plain core), or the
// trailer that save.c writes at the end of every core, [off_t core_start]
// [CORE_MAGIC], which is how an executable finds the core behind its runtime.
#include <array>

#include "analyzers/sbcl/core_header.h"
#include "fingerprint/errors.h"

namespace abitag::sbcl {
namespace {

constexpr unsigned kOffTSize = 8; // off_t with _FILE_OFFSET_BITS=64, on every Linux build

// The ways CORE_MAGIC can be stored, most likely first. A 64-bit word holds
// it in its low half, so the other half is zero.
constexpr std::array<WordFormat, 4> kFormats = {{{8, false}, {8, true}, {4, false}, {4, true}}};

bool is_magic(std::string_view bytes, const WordFormat &word) {
  return bytes.size() >= word.size && word.decode(bytes.data(), word.size) == kCoreMagic;
}

bool ends_with_magic(std::string_view tail, const WordFormat &word) {
  return tail.size() >= kOffTSize + word.size && is_magic(tail.substr(tail.size() - word.size), word);
}

bool ends_with_plain_trailer(std::string_view tail, const WordFormat &word) {
  if (!ends_with_magic(tail, word))
    return false;
  return word.decode(tail.data() + tail.size() - word.size - kOffTSize, kOffTSize) == 0;
}

} // namespace

bool ends_like_core_trailer(std::string_view tail) {
  for (const WordFormat &word : kFormats)
    if (ends_with_magic(tail, word))
      return true;
  return false;
}

bool starts_with_core_magic(std::string_view head) {
  for (const WordFormat &word : kFormats)
    if (is_magic(head, word))
      return true;
  return false;
}

bool starts_like_plain_core(std::string_view head) {
  // CORE_MAGIC's first byte in every format of kFormats: a file that starts
  // with any other (nearly every file a walk meets) is not a core.
  if (head.empty() || (head[0] != 'L' && head[0] != 'S' && head[0] != '\0'))
    return false;
  for (const WordFormat &word : kFormats) {
    if (head.size() < 2 * word.size || !is_magic(head, word))
      continue;
    std::uint64_t first = word.at(head, 1);
    if (first == kBuildIdCode || first == kOldBuildIdCode)
      return true;
  }
  return false;
}

std::uint64_t WordFormat::decode(const char *p, unsigned width) const {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < width; ++i) {
    unsigned byte = static_cast<unsigned char>(p[big_endian ? i : width - 1 - i]);
    value = (value << 8) | byte;
  }
  return value;
}

std::uint64_t WordFormat::at(std::string_view bytes, std::size_t index) const {
  return decode(bytes.data() + index * size, size);
}

llvm::Expected<std::optional<CoreLocation>> locate_core(const FileReader &file) {
  llvm::Expected<std::string> head = file.read(0, std::min<std::uint64_t>(16, file.size()), "file head");
  if (!head)
    return head.takeError();
  std::uint64_t tail_size = std::min<std::uint64_t>(kTrailerBytes, file.size());
  llvm::Expected<std::string> tail = file.read(file.size() - tail_size, tail_size, "trailer");
  if (!tail)
    return tail.takeError();
  for (const WordFormat &word : kFormats)
    if (is_magic(*head, word))
      return CoreLocation{word, 0, false, ends_with_plain_trailer(*tail, word)};

  for (const WordFormat &word : kFormats) {
    if (!ends_with_magic(*tail, word))
      continue;
    const char *start_bytes = tail->data() + tail->size() - word.size - kOffTSize;
    std::uint64_t core_start = word.decode(start_bytes, kOffTSize);
    std::uint64_t trailer_at = file.size() - word.size - kOffTSize;
    if (core_start >= trailer_at)
      return make_error("the trailer puts the core at offset " + std::to_string(core_start) +
                        ", past the end of the file (" + std::to_string(file.size()) + " bytes)");
    llvm::Expected<std::string> magic = file.read(core_start, word.size, "core magic");
    if (!magic)
      return magic.takeError();
    if (!is_magic(*magic, word))
      return make_error("wrong magic: the trailer puts the core at offset " +
                        std::to_string(core_start) + ", which does not start with CORE_MAGIC");
    return CoreLocation{word, core_start, true, true};
  }
  return std::nullopt;
}

} // namespace abitag::sbcl
