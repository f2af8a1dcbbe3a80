// SPDX-License-Identifier: MIT
// Compressed modules and symbol lists, as distributions ship them
// (CONFIG_MODULE_COMPRESS_{XZ,ZSTD,GZIP}; RHEL's symvers-R.gz).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <llvm/Support/Error.h>

namespace abitag::kmod {

// Lz4 is only ever met in a kernel image's payload (the lz4 "legacy" format
// of CONFIG_KERNEL_LZ4, Debian 12's own kernels): no module is compressed so.
enum class Compression { None, Xz, Zstd, Gzip, Lz4 };

// Chosen by the magic bytes, never by the file name, as kmod does
// (libkmod-file.c): xz FD 37 7A 58 5A 00, zstd 28 B5 2F FD, gzip 1F 8B.
Compression compression_of(std::string_view head);
const char *compression_name(Compression compression);

// The most a file is decompressed to. The largest modules distributions
// ship (GPU drivers) are tens of megabytes; a stream that claims more is
// refused rather than allowed to fill memory.
inline constexpr std::uint64_t kMaxDecompressed = std::uint64_t(512) << 20;

// Decompressed bytes, in memory taken from the system as the decoder fills
// it: a stream of zeros that claims the limit costs the pages it really
// fills, once (realloc moves large blocks by remapping them, not copying).
class Decompressed {
public:
  Decompressed() = default;
  Decompressed(Decompressed &&other) noexcept;
  Decompressed &operator=(Decompressed &&other) noexcept;
  ~Decompressed();
  std::string_view bytes() const { return {data_, size_}; }

  // Room for at least one more byte, up to kMaxDecompressed; false at the limit.
  bool grow();
  char *free_space() { return data_ + size_; }
  std::size_t free_size() const { return capacity_ - size_; }
  void produced(std::size_t count) { size_ += count; }

private:
  char *data_ = nullptr;
  std::size_t size_ = 0, capacity_ = 0;
};

// BYTES as they are when they are not compressed, else decompressed into
// HOLDER, which keeps them: what every reader here starts with.
llvm::Expected<std::string_view> plain_bytes(std::string_view bytes, Decompressed &holder);

// BYTES decompressed; the whole input must be one or more complete streams.
llvm::Expected<Decompressed> decompress(std::string_view bytes, Compression compression);

} // namespace abitag::kmod
