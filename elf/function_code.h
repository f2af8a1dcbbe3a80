// SPDX-License-Identifier: MIT
// The machine code of a function a shared object exports: for an analyzer
// that reads an immediate operand the compiler put there (perl's XS
// handshake key is one), where no relocation or data names the value.
#pragma once

#include <optional>

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Error.h>

namespace abitag::elf {

struct FunctionCode {
  unsigned machine = 0; // e_machine: which instruction set the bytes are
  llvm::StringRef bytes; // st_size bytes from the symbol's address, inside FILE
};

// The code of the defined STT_FUNC symbol NAME of FILE's .dynsym, mapped to
// file bytes through the load segment holding its address; nullopt when
// there is no such symbol or no section headers to find .dynsym by. A
// symbol whose code lies outside the file bytes is an error.
llvm::Expected<std::optional<FunctionCode>> dynamic_function_code(llvm::StringRef file, llvm::StringRef name);

} // namespace abitag::elf
