// SPDX-License-Identifier: MIT
// The names a program or shared object gives the loader in its dynamic
// segment: its own soname, the libraries it needs and where to look for them.
#pragma once

#include <string>
#include <vector>

#include <llvm/Support/Error.h>

#include "elf/dynamic_segment.h"

namespace abitag::elf {

struct DynamicNames {
  std::string soname;              // DT_SONAME, empty when there is none
  std::vector<std::string> needed; // DT_NEEDED, in order
  // DT_RPATH and DT_RUNPATH split at ':'. An empty entry stays: ld.so reads
  // it as the current folder.
  std::vector<std::string> rpath;
  std::vector<std::string> runpath;
  bool has_runpath = false; // DT_RUNPATH is there (it turns DT_RPATH off)
};

// Reads them through the dynamic segment as the loader does, which works on
// files without section headers too. Their string table (DT_STRTAB,
// DT_STRSZ) must lie whole in the file bytes of a load segment; a name
// offset past it is an error.
llvm::Expected<DynamicNames> read_dynamic_names(const LoaderView &loader);

} // namespace abitag::elf
