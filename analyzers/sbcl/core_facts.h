// SPDX-License-Identifier: MIT
// What is known of a core beyond its header page: where its spaces lie, the
// foreign libraries it reopens (a heap walk), and for an executable the build
// id of its own runtime part. Shared by `abitag sbcl` and the audit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>

#include "analyzers/sbcl/heap_walk.h"
#include "analyzers/sbcl/sbcl_file.h"
#include "analyzers/sbcl/space_directory.h"

namespace abitag::sbcl {

struct CoreFacts {
  std::vector<PlacedSpace> spaces;
  ForeignLibraries libraries;
  std::optional<std::string> embedded_runtime_id; // executables whose runtime is an ELF file
};

// Reads the heap of the core or executable FILE identified at PATH. Errors
// mean a damaged file (spaces past its end, a corrupt zstd stream...).
llvm::Expected<CoreFacts> read_core_facts(const std::string &path, const SbclFile &file);

} // namespace abitag::sbcl
