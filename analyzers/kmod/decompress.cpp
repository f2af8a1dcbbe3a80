// SPDX-License-Identifier: MIT
#include "analyzers/kmod/decompress.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <utility>

#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "fingerprint/errors.h"

namespace abitag::kmod {

Decompressed::Decompressed(Decompressed &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

Decompressed &Decompressed::operator=(Decompressed &&other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

Decompressed::~Decompressed() { std::free(data_); }

bool Decompressed::grow() {
  if (capacity_ >= kMaxDecompressed)
    return false;
  std::size_t next = std::min<std::uint64_t>(std::max<std::size_t>(capacity_ * 2, 1 << 16), kMaxDecompressed);
  void *bigger = std::realloc(data_, next);
  if (!bigger)
    throw std::bad_alloc(); // as a std::string would: abitag reports it as out of memory
  data_ = static_cast<char *>(bigger);
  capacity_ = next;
  return true;
}

namespace {

llvm::Error too_large(const char *format) {
  return make_error(std::string("corrupt ") + format + " stream: it decompresses to more than " +
                    std::to_string(kMaxDecompressed) + " bytes");
}

llvm::Expected<Decompressed> decompress_xz(std::string_view bytes) {
  lzma_stream stream = LZMA_STREAM_INIT;
  // LZMA_CONCATENATED: several streams one after another, as xz writes them.
  if (lzma_stream_decoder(&stream, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
    return make_error("out of memory for xz");
  std::unique_ptr<lzma_stream, void (*)(lzma_stream *)> guard(&stream, lzma_end);
  stream.next_in = reinterpret_cast<const std::uint8_t *>(bytes.data());
  stream.avail_in = bytes.size();
  Decompressed out;
  for (;;) {
    if (out.free_size() == 0 && !out.grow())
      return too_large("xz");
    stream.next_out = reinterpret_cast<std::uint8_t *>(out.free_space());
    stream.avail_out = out.free_size();
    std::size_t before = stream.avail_out;
    lzma_ret result = lzma_code(&stream, stream.avail_in ? LZMA_RUN : LZMA_FINISH);
    out.produced(before - stream.avail_out);
    if (result == LZMA_STREAM_END)
      return out;
    if (result == LZMA_BUF_ERROR)
      return make_error("corrupt xz stream: it ends before its end marker");
    if (result != LZMA_OK)
      return make_error(std::string("corrupt xz stream: ") +
                        (result == LZMA_DATA_ERROR     ? "data error"
                         : result == LZMA_FORMAT_ERROR ? "not an xz stream"
                         : result == LZMA_MEM_ERROR    ? "out of memory"
                         : result == LZMA_OPTIONS_ERROR ? "unsupported options"
                                                        : "error " + std::to_string(result)));
  }
}

llvm::Expected<Decompressed> decompress_zstd(std::string_view bytes) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!context)
    return make_error("out of memory for zstd");
  ZSTD_inBuffer input{bytes.data(), bytes.size(), 0};
  Decompressed out;
  std::size_t last = 1; // ZSTD_decompressStream's hint: 0 once a frame is complete
  while (input.pos < input.size || last != 0) {
    if (out.free_size() == 0 && !out.grow())
      return too_large("zstd");
    ZSTD_outBuffer output{out.free_space(), out.free_size(), 0};
    std::size_t before_in = input.pos;
    last = ZSTD_decompressStream(context.get(), &output, &input);
    out.produced(output.pos);
    if (ZSTD_isError(last))
      return make_error(std::string("corrupt zstd stream: ") + ZSTD_getErrorName(last));
    if (last != 0 && input.pos == input.size && output.pos < output.size && input.pos == before_in)
      return make_error("corrupt zstd stream: it ends inside a frame");
  }
  return out;
}

llvm::Expected<Decompressed> decompress_gzip(std::string_view bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) // 16: a gzip wrapper
    return make_error("out of memory for zlib");
  std::unique_ptr<z_stream, int (*)(z_stream *)> guard(&stream, inflateEnd);
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
  stream.avail_in = static_cast<uInt>(std::min<std::size_t>(bytes.size(), UINT32_MAX));
  if (bytes.size() > UINT32_MAX)
    return make_error("gzip stream larger than 4 GiB");
  Decompressed out;
  for (;;) {
    if (out.free_size() == 0 && !out.grow())
      return too_large("gzip");
    stream.next_out = reinterpret_cast<Bytef *>(out.free_space());
    stream.avail_out = static_cast<uInt>(std::min<std::size_t>(out.free_size(), UINT32_MAX));
    uInt before = stream.avail_out;
    int result = inflate(&stream, Z_NO_FLUSH);
    out.produced(before - stream.avail_out);
    if (result == Z_STREAM_END) {
      if (stream.avail_in == 0)
        return out;
      inflateReset(&stream); // another gzip member follows, as `cat a.gz b.gz` makes
      continue;
    }
    if (result == Z_BUF_ERROR && stream.avail_in == 0)
      return make_error("corrupt gzip stream: it ends before its last block");
    if (result != Z_OK && result != Z_BUF_ERROR)
      return make_error(std::string("corrupt gzip stream: ") + (stream.msg ? stream.msg : "inflate failed"));
  }
}

// The lz4 legacy format (lz4 -l, as the kernel's build compresses an image):
// the magic, then blocks of a little-endian u32 size and that many bytes,
// each at most 8 MiB once decompressed; the magic may appear again between
// blocks (files concatenated).
llvm::Expected<Decompressed> decompress_lz4(std::string_view bytes) {
  constexpr std::uint32_t kMagic = 0x184C2102;
  constexpr std::size_t kBlockMax = 8 << 20;
  auto u32 = [&](std::size_t at) {
    return std::uint32_t(std::uint8_t(bytes[at])) | std::uint32_t(std::uint8_t(bytes[at + 1])) << 8 |
           std::uint32_t(std::uint8_t(bytes[at + 2])) << 16 | std::uint32_t(std::uint8_t(bytes[at + 3])) << 24;
  };
  Decompressed out;
  for (std::size_t at = 0; at < bytes.size();) {
    if (bytes.size() - at < 4)
      return make_error("corrupt lz4 stream: it ends inside a block's size");
    std::uint32_t size = u32(at);
    at += 4;
    if (size == kMagic)
      continue;
    if (size > bytes.size() - at || size > static_cast<std::uint32_t>(LZ4_compressBound(kBlockMax)))
      return make_error("corrupt lz4 stream: a block of " + std::to_string(size) + " bytes runs past its end");
    while (out.free_size() < kBlockMax)
      if (!out.grow())
        return too_large("lz4");
    int produced = LZ4_decompress_safe(bytes.data() + at, out.free_space(), static_cast<int>(size),
                                       static_cast<int>(kBlockMax));
    if (produced < 0)
      return make_error("corrupt lz4 stream: a block does not decompress");
    out.produced(static_cast<std::size_t>(produced));
    at += size;
  }
  return out;
}

} // namespace

Compression compression_of(std::string_view head) {
  if (head.substr(0, 6) == std::string_view("\xFD" "7zXZ\0", 6))
    return Compression::Xz;
  if (head.substr(0, 4) == "\x28\xB5\x2F\xFD")
    return Compression::Zstd;
  if (head.substr(0, 2) == "\x1F\x8B")
    return Compression::Gzip;
  return Compression::None;
}

const char *compression_name(Compression compression) {
  switch (compression) {
  case Compression::Xz:
    return "xz";
  case Compression::Zstd:
    return "zstd";
  case Compression::Gzip:
    return "gzip";
  case Compression::Lz4:
    return "lz4";
  case Compression::None:
    break;
  }
  return "none";
}

llvm::Expected<Decompressed> decompress(std::string_view bytes, Compression compression) {
  switch (compression) {
  case Compression::Xz:
    return decompress_xz(bytes);
  case Compression::Zstd:
    return decompress_zstd(bytes);
  case Compression::Gzip:
    return decompress_gzip(bytes);
  case Compression::Lz4:
    return decompress_lz4(bytes);
  case Compression::None:
    break;
  }
  return make_error("not compressed");
}

llvm::Expected<std::string_view> plain_bytes(std::string_view bytes, Decompressed &holder) {
  Compression compression = compression_of(bytes);
  if (compression == Compression::None)
    return bytes;
  llvm::Expected<Decompressed> plain = decompress(bytes, compression);
  if (!plain)
    return plain.takeError();
  holder = std::move(*plain);
  return holder.bytes();
}

} // namespace abitag::kmod
