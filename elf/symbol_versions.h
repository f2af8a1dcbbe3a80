// SPDX-License-Identifier: MIT
// GNU symbol versions of a shared object's dynamic symbols, read from its
// version tables (.gnu.version, .gnu.version_d and .gnu.version_r, or the
// same tables found through DT_VERSYM, DT_VERDEF and DT_VERNEED) once per
// file. (LLVM 14's readDynsymVersions copies its version map once per
// symbol, which on a library with many symbols costs far more time and
// memory than the read.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Error.h>

namespace abitag::elf {

class SymbolVersions {
public:
  // The version of dynamic symbol INDEX: empty when it has none.
  llvm::StringRef name(std::size_t index) const;
  // Whether it is the default version ("@@"), which only a definition can be.
  bool is_default(std::size_t index, bool undefined) const;

  std::vector<std::string> names_;    // by version index
  std::vector<std::uint8_t> defined_here_; // by version index: from .gnu.version_d (bytes: read per symbol)
  // By version index, for versions required from another file
  // (.gnu.version_r): that file's soname, and whether the need is weak.
  std::vector<std::string> needed_from_;
  std::vector<bool> weak_need_;
  std::vector<std::uint16_t> versym_; // by symbol index
  // The version indexes in the order their tables list them: the versions
  // defined here (not the file's own base name), and those needed.
  std::vector<std::uint16_t> definition_order_;
  std::vector<std::uint16_t> need_order_;
};

// The bytes of a file's version tables, wherever they were found: each
// empty when the file has none. A table whose size the format does not
// record (the definitions and needs) runs to the end of what holds it; its
// records are read up to their count.
struct VersionTables {
  llvm::ArrayRef<std::uint8_t> versym; // one 16-bit entry per dynamic symbol
  llvm::ArrayRef<std::uint8_t> definitions;
  std::uint64_t definition_count = 0; // sh_info or DT_VERDEFNUM
  llvm::StringRef definition_strings;
  llvm::ArrayRef<std::uint8_t> needs;
  std::uint64_t need_count = 0; // sh_info or DT_VERNEEDNUM
  llvm::StringRef need_strings;
};

// ELFT: one of llvm::object::ELF32LE, ELF32BE, ELF64LE, ELF64BE.
template <class ELFT> llvm::Expected<SymbolVersions> read_symbol_versions(const VersionTables &tables);

} // namespace abitag::elf
