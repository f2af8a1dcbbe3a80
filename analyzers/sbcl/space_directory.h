// SPDX-License-Identifier: MIT
// Where each space of the directory lies in the file, and how it is stored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>

#include "analyzers/sbcl/core_header.h"
#include "analyzers/sbcl/file_reader.h"

namespace abitag::sbcl {

enum class Compression { None, Zstd, Zlib, Unknown };

const char *compression_name(Compression compression);

struct PlacedSpace {
  SpaceEntry entry;
  std::uint64_t file_offset = 0; // core_start + (data_page + 1) * page_size
  std::uint64_t memory_bytes = 0; // page_count * page_size: the space once loaded
  Compression compression = Compression::None;
};

// Places every directory entry in the file. An uncompressed space must lie
// wholly inside the file; a compressed one must at least start inside it
// (its stream is checked when it is decompressed).
llvm::Expected<std::vector<PlacedSpace>> place_spaces(const FileReader &file, const CoreHeader &header);

} // namespace abitag::sbcl
