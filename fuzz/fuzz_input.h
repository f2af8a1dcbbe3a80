// What every fuzz target shares: the bytes as a buffer the parsers take.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <llvm/Support/MemoryBuffer.h>

namespace abitag::fuzz {

// A name for the input where a parser wants a path. Its folder does not
// exist, so a thin archive's members (named relative to it) are never found
// and the target reads nothing but its input.
inline constexpr const char *kInputPath = "/nonexistent-abitag-fuzz/input";

inline std::string_view bytes(const std::uint8_t *data, std::size_t size) {
  return {reinterpret_cast<const char *>(data), size};
}

// A view of the input, not a copy: ASan then sees any read past its end.
inline std::unique_ptr<llvm::MemoryBuffer> buffer(const std::uint8_t *data, std::size_t size) {
  return llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(reinterpret_cast<const char *>(data), size),
                                          kInputPath, /*RequiresNullTerminator=*/false);
}

} // namespace abitag::fuzz
