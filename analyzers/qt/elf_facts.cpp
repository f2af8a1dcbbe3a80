// SPDX-License-Identifier: MIT
#include "analyzers/qt/elf_facts.h"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELF.h>
#include <llvm/Object/ELFTypes.h>

#include "elf/dynamic_names.h"
#include "elf/dynamic_segment.h"
#include "elf/elf_tables.h"
#include "elf/symbol_versions.h"
#include "fingerprint/errors.h"

namespace abitag::qt {

using namespace llvm::object;

namespace {

template <class ELFT> struct Reader {
  using Shdr = typename ELFT::Shdr;
  const ELFFile<ELFT> &elf;
  typename ELFT::ShdrRange sections;
  elf::SymbolVersions versions;

  const Shdr *find(std::uint32_t type) {
    for (const Shdr &section : sections)
      if (section.sh_type == type)
        return &section;
    return nullptr;
  }

  // The version definitions and needs, in the order their tables list them,
  // read by the ELF layer (elf/symbol_versions.h).
  llvm::Error read_versions(ElfFacts &out) {
    elf::VersionTables tables;
    if (llvm::Error e = elf::read_section_versions(elf, sections, tables))
      return e;
    llvm::Expected<elf::SymbolVersions> read = elf::read_symbol_versions<ELFT>(tables);
    if (!read)
      return read.takeError();
    versions = std::move(*read);
    for (std::uint16_t index : versions.definition_order_)
      out.definitions.push_back({versions.names_[index], index});
    for (std::uint16_t index : versions.need_order_)
      out.needs.push_back({versions.needed_from_[index], versions.names_[index], index, bool(versions.weak_need_[index])});
    return llvm::Error::success();
  }

  // DT_NEEDED, DT_SONAME, DT_RUNPATH and DT_RPATH, as the loader reads them.
  llvm::Error dynamic(ElfFacts &out) {
    llvm::Expected<elf::LoaderView> loader = elf::read_loader_view(elf);
    if (!loader)
      return loader.takeError();
    llvm::Expected<elf::DynamicNames> names = elf::read_dynamic_names(*loader);
    if (!names)
      return names.takeError();
    out.names = std::move(*names);
    return llvm::Error::success();
  }

  // .dynsym with each symbol's .gnu.version index.
  llvm::Error symbols(ElfFacts &out) {
    const Shdr *section = find(llvm::ELF::SHT_DYNSYM);
    if (!section)
      return llvm::Error::success();
    auto entries = elf.symbols(section);
    if (!entries)
      return entries.takeError();
    auto strings = elf.getStringTableForSymtab(*section, sections);
    if (!strings)
      return strings.takeError();
    out.symbols.reserve(entries->size());
    for (std::size_t i = 1; i < entries->size(); ++i) { // 0 is the null symbol
      const typename ELFT::Sym &symbol = (*entries)[i];
      auto name = symbol.getName(*strings);
      if (!name)
        return name.takeError();
      std::uint16_t version = i < versions.versym_.size() ? versions.versym_[i] & llvm::ELF::VERSYM_VERSION : 0;
      out.symbols.push_back({*name, version, symbol.st_shndx == llvm::ELF::SHN_UNDEF,
                             symbol.getBinding() == llvm::ELF::STB_WEAK});
    }
    return llvm::Error::success();
  }

  // The bytes of the PROGBITS sections .qtversion and .rodata.
  llvm::Error named_sections(ElfFacts &out) {
    for (const Shdr &section : sections) {
      if (section.sh_type != llvm::ELF::SHT_PROGBITS)
        continue;
      auto name = elf.getSectionName(section);
      if (!name)
        return name.takeError();
      if (*name != ".qtversion" && *name != ".rodata")
        continue;
      auto bytes = elf.getSectionContents(section);
      if (!bytes)
        return bytes.takeError();
      (*name == ".qtversion" ? out.qtversion : out.rodata) = llvm::toStringRef(*bytes);
    }
    return llvm::Error::success();
  }
};

template <class ELFT>
llvm::Expected<ElfFacts> read_facts(llvm::StringRef bytes, const std::function<bool(const ElfFacts &)> &more) {
  auto elf = ELFFile<ELFT>::create(bytes);
  if (!elf)
    return elf.takeError();
  auto sections = elf->sections();
  if (!sections)
    return sections.takeError();
  ElfFacts out;
  out.machine = elf->getHeader().e_machine;
  out.elf_class = ELFT::Is64Bits ? llvm::ELF::ELFCLASS64 : llvm::ELF::ELFCLASS32;
  out.little_endian = ELFT::TargetEndianness == llvm::support::little;
  Reader<ELFT> reader{*elf, *sections, {}};
  if (llvm::Error e = reader.read_versions(out))
    return e;
  if (!more(out))
    return out;
  if (llvm::Error e = reader.dynamic(out))
    return e;
  if (llvm::Error e = reader.symbols(out))
    return e;
  if (llvm::Error e = reader.named_sections(out))
    return e;
  return out;
}

} // namespace

llvm::Expected<ElfFacts> read_elf_facts(llvm::MemoryBufferRef buffer,
                                        const std::function<bool(const ElfFacts &)> &more) {
  llvm::StringRef bytes = buffer.getBuffer();
  if (!bytes.startswith("\x7f" "ELF") || bytes.size() < llvm::ELF::EI_NIDENT)
    return make_error("not an ELF file");
  unsigned char elf_class = bytes[llvm::ELF::EI_CLASS], data = bytes[llvm::ELF::EI_DATA];
  bool little = data == llvm::ELF::ELFDATA2LSB;
  if (data != llvm::ELF::ELFDATA2LSB && data != llvm::ELF::ELFDATA2MSB)
    return make_error("ELF file of unknown byte order " + std::to_string(data));
  if (elf_class == llvm::ELF::ELFCLASS32)
    return little ? read_facts<ELF32LE>(bytes, more) : read_facts<ELF32BE>(bytes, more);
  if (elf_class == llvm::ELF::ELFCLASS64)
    return little ? read_facts<ELF64LE>(bytes, more) : read_facts<ELF64BE>(bytes, more);
  return make_error("ELF file of unknown class " + std::to_string(elf_class));
}

} // namespace abitag::qt
