// SPDX-License-Identifier: MIT
// The foreign libraries a core reopens at startup: the namestrings of
// SB-SYS:*SHARED-OBJECTS*, found by following the symbol's value through
// the heap, never by a string scan (which finds literals, pathname pieces
// and spec alternatives that were never loaded).
#pragma once

#include <string>
#include <vector>

#include <llvm/Support/Error.h>

#include "analyzers/sbcl/core_header.h"
#include "analyzers/sbcl/space_directory.h"

namespace abitag::sbcl {

struct ForeignLibraries {
  bool known = false;
  std::vector<std::string> names; // UTF-8, in the order the image reopens them
  std::string unknown_reason;     // when !known
};

// Walks the heap of the core in FILE. An error means the file is corrupt (a
// broken zstd stream); a layout abitag has not verified gives !known.
llvm::Expected<ForeignLibraries> read_foreign_libraries(const FileReader &file, const CoreHeader &header,
                                                        const std::vector<PlacedSpace> &spaces);

} // namespace abitag::sbcl
