// SPDX-License-Identifier: MIT
// The build id an SBCL runtime provides: its exported `build_id` data
// symbol (every Linux runtime links with --export-dynamic, and Debian's is
// stripped, so the dynamic symbol table is where it is).
#pragma once

#include <optional>
#include <string>

#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

namespace abitag::sbcl {

// The string in `build_id` of the ELF file at PATH; nothing when the file
// is an ELF file without that symbol. Errors for an unreadable or corrupt ELF.
llvm::Expected<std::optional<std::string>> read_runtime_build_id(const std::string &path);
// The same for the bytes of a file.
llvm::Expected<std::optional<std::string>> read_runtime_build_id(llvm::MemoryBufferRef file);

} // namespace abitag::sbcl
