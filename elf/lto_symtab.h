// SPDX-License-Identifier: MIT
// GCC's LTO symbol table (.gnu.lto_.symtab.*), the only symbols of a "slim"
// LTO object: the regular ELF symbol table holds just __gnu_lto_slim.
#pragma once

#include <vector>

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Error.h>

namespace abitag::elf {

struct LtoSymbol {
  llvm::StringRef name;
  enum Kind : unsigned char { Def, WeakDef, Undef, WeakUndef, Common } kind;
};

// Each entry is: name NUL, comdat group NUL, kind byte, visibility byte,
// an 8-byte size and a 4-byte slot (both in the compiling host's byte order,
// so never interpreted here). Fails on an entry that runs past the section,
// has no name, or a kind or visibility GCC does not write.
llvm::Expected<std::vector<LtoSymbol>> parse_lto_symtab(llvm::StringRef section);

} // namespace abitag::elf
