// SPDX-License-Identifier: MIT
// What every fuzz target shares: the bytes as a buffer the parsers take, and
// the check that the JSON a target builds from them is valid JSON.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <llvm/Support/MemoryBuffer.h>

#include "fingerprint/json_text.h"

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

// A name made of the input's last bytes, for the paths and ids a target
// puts in JSON: any bytes, UTF-8 or not, newlines and NULs too.
inline std::string name_from(const std::uint8_t *data, std::size_t size) {
  std::size_t length = std::min<std::size_t>(size, 64);
  return std::string(bytes(data + size - length, length));
}

// DOCUMENT as abitag prints it (fingerprint/json_text.h), read back: the
// same document, whatever bytes its strings hold.
template <class Json> void check_json_round_trip(const Json &document) {
  for (int indent : {-1, 2}) {
    llvm::Expected<nlohmann::json> back = parse_json_text(json_text(document, indent));
    if (!back) {
      llvm::consumeError(back.takeError());
      __builtin_trap(); // abitag printed text that is not JSON
    }
    if (*back != nlohmann::json(document))
      __builtin_trap(); // or JSON that reads back as other bytes
  }
}

} // namespace abitag::fuzz
