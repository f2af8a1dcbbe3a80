// SPDX-License-Identifier: MIT
#include "elf/function_code.h"

#include "elf/elf_file.h"
#include "fingerprint/errors.h"

namespace abitag::elf {
namespace {

template <class ELFT>
llvm::Expected<std::optional<FunctionCode>> find_code(const llvm::object::ELFFile<ELFT> &elf, llvm::StringRef file,
                                                     llvm::StringRef name) {
  auto sections = elf.sections();
  if (!sections)
    return sections.takeError();
  for (const auto &section : *sections) {
    if (section.sh_type != llvm::ELF::SHT_DYNSYM)
      continue;
    auto symbols = elf.symbols(&section);
    if (!symbols)
      return symbols.takeError();
    auto strings = elf.getStringTableForSymtab(section);
    if (!strings)
      return strings.takeError();
    for (const auto &symbol : *symbols) {
      if (symbol.getType() != llvm::ELF::STT_FUNC || symbol.st_shndx == llvm::ELF::SHN_UNDEF)
        continue;
      llvm::Expected<llvm::StringRef> symbol_name = symbol.getName(*strings);
      if (!symbol_name)
        return symbol_name.takeError();
      if (*symbol_name != name)
        continue;
      auto headers = elf.program_headers();
      if (!headers)
        return headers.takeError();
      std::uint64_t address = symbol.st_value, size = symbol.st_size;
      for (const auto &header : *headers) {
        if (header.p_type != llvm::ELF::PT_LOAD || address < header.p_vaddr ||
            address - header.p_vaddr >= header.p_filesz)
          continue;
        std::uint64_t offset = header.p_offset + (address - header.p_vaddr);
        if (offset > file.size() || size > file.size() - offset || size > header.p_filesz - (address - header.p_vaddr))
          return make_error("the code of " + name.str() + " runs past the end of the file");
        return FunctionCode{elf.getHeader().e_machine, file.substr(offset, size)};
      }
      return make_error("the address of " + name.str() + " lies in no load segment's file bytes");
    }
  }
  return std::nullopt;
}

} // namespace

llvm::Expected<std::optional<FunctionCode>> dynamic_function_code(llvm::StringRef file, llvm::StringRef name) {
  return with_elf_file(file, [&](const auto &elf) { return find_code(elf, file, name); });
}

} // namespace abitag::elf
