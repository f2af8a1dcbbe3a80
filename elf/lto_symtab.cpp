// SPDX-License-Identifier: MIT
#include "elf/lto_symtab.h"

#include "fingerprint/errors.h"

namespace abitag::elf {

llvm::Expected<std::vector<LtoSymbol>> parse_lto_symtab(llvm::StringRef data) {
  constexpr size_t kFixedTail = 1 + 1 + 8 + 4;
  constexpr unsigned char kMaxVisibility = 3; // GCCPV_HIDDEN
  std::vector<LtoSymbol> out;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t name_end = data.find('\0', pos);
    if (name_end == llvm::StringRef::npos)
      return make_error("LTO symbol table: unterminated name");
    size_t comdat_end = data.find('\0', name_end + 1);
    if (comdat_end == llvm::StringRef::npos || data.size() - (comdat_end + 1) < kFixedTail)
      return make_error("LTO symbol table: truncated entry");
    // GCC writes every symbol with a name, a kind (GCCPK_*) and a
    // visibility (GCCPV_*, 0 to 3); zeroed or overwritten bytes show as
    // an entry without a name or a value out of range.
    if (name_end == pos)
      return make_error("LTO symbol table: an entry without a name at offset " + std::to_string(pos));
    unsigned char kind = static_cast<unsigned char>(data[comdat_end + 1]);
    if (kind > LtoSymbol::Common)
      return make_error("LTO symbol table: unknown symbol kind " + std::to_string(kind));
    unsigned char visibility = static_cast<unsigned char>(data[comdat_end + 2]);
    if (visibility > kMaxVisibility)
      return make_error("LTO symbol table: unknown symbol visibility " + std::to_string(visibility));
    out.push_back({data.slice(pos, name_end), static_cast<LtoSymbol::Kind>(kind)});
    pos = comdat_end + 1 + kFixedTail;
  }
  return out;
}

} // namespace abitag::elf
