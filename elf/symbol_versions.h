// GNU symbol versions of a shared object's .dynsym, read from .gnu.version,
// .gnu.version_d and .gnu.version_r once per file. (LLVM 14's
// readDynsymVersions copies its version map once per symbol, which on a
// library with many symbols costs far more time and memory than the read.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <llvm/Object/ELFObjectFile.h>
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
};

llvm::Expected<SymbolVersions> read_symbol_versions(const llvm::object::ELFFile<llvm::object::ELF32LE> &);
llvm::Expected<SymbolVersions> read_symbol_versions(const llvm::object::ELFFile<llvm::object::ELF32BE> &);
llvm::Expected<SymbolVersions> read_symbol_versions(const llvm::object::ELFFile<llvm::object::ELF64LE> &);
llvm::Expected<SymbolVersions> read_symbol_versions(const llvm::object::ELFFile<llvm::object::ELF64BE> &);

} // namespace abitag::elf
