// SPDX-License-Identifier: MIT
#include "analyzers/sbcl/heap.h"

#include <algorithm>

#include <zstd.h>

#include "fingerprint/errors.h"

namespace abitag::sbcl {
namespace {

std::string describe(const PlacedSpace &space) {
  return std::string("space ") + space_name(space.entry.id);
}

// The most a space may decompress to. The directory's page count is only a
// claim (a damaged core may claim terabytes), so the output grows with what
// the stream really holds, up to the space's size and never past this.
constexpr std::uint64_t kMaxDecompressedSpace = std::uint64_t(4) << 30;

// Decompresses the zstd frames that start at the space's offset until the
// space's objects (nwords) are all there. The compressed length is not
// recorded in the core, so the input is bounded by the end of the file instead.
llvm::Expected<std::string> decompress_zstd(std::string_view file, const PlacedSpace &space) {
  std::uint64_t wanted = space.entry.nwords * 8;
  if (wanted > kMaxDecompressedSpace)
    return make_error(describe(space) + " claims " + std::to_string(wanted) +
                      " bytes of objects, more than abitag decompresses (" +
                      std::to_string(kMaxDecompressedSpace) + ")");
  std::uint64_t limit = std::min(space.memory_bytes, kMaxDecompressedSpace);
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!context)
    return make_error("out of memory for zstd");
  ZSTD_inBuffer input{file.data() + space.file_offset, file.size() - space.file_offset, 0};
  std::string out;
  std::size_t produced = 0;
  for (;;) {
    if (produced == out.size()) {
      if (out.size() == limit)
        return make_error("corrupt zstd stream in " + describe(space) + ": it holds more than the " +
                          std::to_string(limit) + " bytes of the space");
      out.resize(std::min<std::uint64_t>(limit, std::max<std::uint64_t>(out.size() * 2, 1 << 20)));
    }
    ZSTD_outBuffer output{out.data(), out.size(), produced};
    std::size_t result = ZSTD_decompressStream(context.get(), &output, &input);
    produced = output.pos;
    if (ZSTD_isError(result))
      return make_error("corrupt zstd stream in " + describe(space) + ": " + ZSTD_getErrorName(result));
    if (result == 0 && produced >= wanted)
      break; // a frame ended and the space's objects are all there
    if (input.pos == input.size && produced < out.size())
      return make_error("corrupt zstd stream in " + describe(space) +
                        ": it runs past the end of the file");
  }
  out.resize(produced); // the pages past the objects are not kept
  return out;
}

} // namespace

llvm::Expected<std::unique_ptr<Heap>> Heap::load(const FileReader &reader,
                                                 const std::vector<PlacedSpace> &spaces) {
  auto heap = std::make_unique<Heap>();
  auto buffer = reader.map();
  if (!buffer)
    return buffer.takeError();
  heap->file_ = std::move(*buffer);
  std::string_view file(heap->file_->getBufferStart(), heap->file_->getBufferSize());
  heap->decompressed_.reserve(spaces.size()); // views into them must stay valid
  for (const PlacedSpace &space : spaces) {
    std::string_view bytes;
    if (space.compression == Compression::Zstd) {
      llvm::Expected<std::string> data = decompress_zstd(file, space);
      if (!data)
        return data.takeError();
      heap->decompressed_.push_back(std::move(*data));
      bytes = heap->decompressed_.back();
    } else if (space.compression == Compression::None) {
      if (space.file_offset > file.size() || space.memory_bytes > file.size() - space.file_offset)
        return make_error(describe(space) + " lies outside the file");
      bytes = file.substr(space.file_offset, space.memory_bytes);
    } else {
      return make_error(describe(space) + " is " + compression_name(space.compression) +
                        "-compressed; only zstd is decompressed");
    }
    heap->spaces_.push_back({space.entry.id, space.entry.address, bytes});
  }
  return heap;
}

std::optional<std::string_view> Heap::bytes_at(std::uint64_t address, std::uint64_t length) const {
  for (const HeapSpace &space : spaces_) {
    if (address < space.address)
      continue;
    std::uint64_t offset = address - space.address;
    if (offset <= space.bytes.size() && length <= space.bytes.size() - offset)
      return space.bytes.substr(offset, length);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> Heap::word_at(std::uint64_t address) const {
  std::optional<std::string_view> bytes = bytes_at(address, 8);
  if (!bytes)
    return std::nullopt;
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>((*bytes)[i]);
  return value;
}

} // namespace abitag::sbcl
