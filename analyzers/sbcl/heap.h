// SPDX-License-Identifier: MIT
// The spaces of a core as memory: a saved virtual address gives its bytes.
// Uncompressed spaces are views of the mapped file; zstd spaces are
// decompressed. On-disk pointers are the addresses the spaces were saved at,
// so the mapping is linear per space.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "analyzers/sbcl/file_reader.h"
#include "analyzers/sbcl/space_directory.h"

namespace abitag::sbcl {

struct HeapSpace {
  std::uint64_t id = 0;
  std::uint64_t address = 0;
  std::string_view bytes;
};

class Heap {
public:
  // Fails on a space that cannot be read (a corrupt zstd stream...).
  static llvm::Expected<std::unique_ptr<Heap>> load(const FileReader &file,
                                                    const std::vector<PlacedSpace> &spaces);

  const std::vector<HeapSpace> &spaces() const { return spaces_; }
  // LENGTH bytes at saved address ADDRESS, when they lie inside one space.
  std::optional<std::string_view> bytes_at(std::uint64_t address, std::uint64_t length) const;
  std::optional<std::uint64_t> word_at(std::uint64_t address) const; // little-endian 64-bit

private:
  std::unique_ptr<llvm::MemoryBuffer> file_;
  std::vector<std::string> decompressed_;
  std::vector<HeapSpace> spaces_;
};

} // namespace abitag::sbcl
