// SPDX-License-Identifier: MIT
#include "analyzers/qt/elf_facts.h"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELF.h>
#include <llvm/Object/ELFTypes.h>

#include "fingerprint/errors.h"

namespace abitag::qt {

using namespace llvm::object;

namespace {

// The T at OFFSET of DATA, or an error when it would run past the end or sit
// at an address T may not be read from (the records are 4-byte aligned).
template <class T>
llvm::Expected<const T *> record_at(llvm::ArrayRef<std::uint8_t> data, std::uint64_t offset, const char *what) {
  if (offset > data.size() || data.size() - offset < sizeof(T))
    return make_error(std::string(what) + " at offset " + std::to_string(offset) + " runs past its section");
  const std::uint8_t *at = data.data() + offset;
  if (reinterpret_cast<std::uintptr_t>(at) % alignof(T) != 0)
    return make_error(std::string(what) + " at offset " + std::to_string(offset) + " is misaligned");
  return reinterpret_cast<const T *>(at);
}

// The NUL-terminated string at OFFSET of TABLE.
llvm::Expected<std::string> name_at(llvm::StringRef table, std::uint64_t offset) {
  if (offset >= table.size())
    return make_error("name offset " + std::to_string(offset) + " is outside its string table");
  return table.drop_front(offset).take_until([](char c) { return c == '\0'; }).str();
}

template <class ELFT> struct Reader {
  using Shdr = typename ELFT::Shdr;
  const ELFFile<ELFT> &elf;
  typename ELFT::ShdrRange sections;

  llvm::Expected<llvm::StringRef> linked_strings(const Shdr &section) {
    if (section.sh_link >= sections.size())
      return make_error("a section links to section " + std::to_string(section.sh_link) + ", which does not exist");
    return elf.getStringTable(sections[section.sh_link]);
  }

  const Shdr *find(std::uint32_t type) {
    for (const Shdr &section : sections)
      if (section.sh_type == type)
        return &section;
    return nullptr;
  }

  // A version section: its bytes, its string table, and how many entries
  // to read: as many as sh_info says and the section can hold.
  struct VersionTable {
    llvm::ArrayRef<std::uint8_t> data;
    llvm::StringRef strings;
    std::uint64_t count = 0; // 0 when there is no such section
  };

  llvm::Expected<VersionTable> version_table(std::uint32_t type, std::size_t entry_size) {
    VersionTable table;
    const Shdr *section = find(type);
    if (!section)
      return table;
    auto data = elf.getSectionContents(*section);
    if (!data)
      return data.takeError();
    auto strings = linked_strings(*section);
    if (!strings)
      return strings.takeError();
    table.data = *data;
    table.strings = *strings;
    table.count = std::min<std::uint64_t>(section->sh_info, data->size() / entry_size);
    return table;
  }

  // The entries of .gnu.version_d; a chain whose "next" is 0 ends early.
  llvm::Error definitions(std::vector<VersionDefinition> &out) {
    auto table = version_table(llvm::ELF::SHT_GNU_verdef, sizeof(typename ELFT::Verdef));
    if (!table)
      return table.takeError();
    auto [data, strings, count] = *table;
    std::uint64_t offset = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
      auto def = record_at<typename ELFT::Verdef>(data, offset, "a version definition");
      if (!def)
        return def.takeError();
      auto aux = record_at<typename ELFT::Verdaux>(data, offset + (*def)->vd_aux, "a version definition's name");
      if (!aux)
        return aux.takeError();
      auto name = name_at(strings, (*aux)->vda_name);
      if (!name)
        return name.takeError();
      out.push_back({std::move(*name), static_cast<std::uint16_t>((*def)->vd_ndx & llvm::ELF::VERSYM_VERSION),
                     ((*def)->vd_flags & llvm::ELF::VER_FLG_BASE) != 0});
      if ((*def)->vd_next == 0)
        break;
      offset += (*def)->vd_next;
    }
    return llvm::Error::success();
  }

  // The entries of .gnu.version_r, bounded as definitions() bounds its own.
  llvm::Error needs(std::vector<VersionNeed> &out) {
    auto table = version_table(llvm::ELF::SHT_GNU_verneed, sizeof(typename ELFT::Verneed));
    if (!table)
      return table.takeError();
    auto [data, strings, count] = *table;
    std::uint64_t offset = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
      auto need = record_at<typename ELFT::Verneed>(data, offset, "a version need");
      if (!need)
        return need.takeError();
      auto file = name_at(strings, (*need)->vn_file);
      if (!file)
        return file.takeError();
      if (llvm::Error e = need_entries(data, strings, offset + (*need)->vn_aux, (*need)->vn_cnt, *file, out))
        return e;
      if ((*need)->vn_next == 0)
        break;
      offset += (*need)->vn_next;
    }
    return llvm::Error::success();
  }

  llvm::Error need_entries(llvm::ArrayRef<std::uint8_t> data, llvm::StringRef strings, std::uint64_t offset,
                           std::uint64_t count, const std::string &file, std::vector<VersionNeed> &out) {
    count = std::min<std::uint64_t>(count, data.size() / sizeof(typename ELFT::Vernaux));
    for (std::uint64_t i = 0; i < count; ++i) {
      auto aux = record_at<typename ELFT::Vernaux>(data, offset, "a needed version");
      if (!aux)
        return aux.takeError();
      auto name = name_at(strings, (*aux)->vna_name);
      if (!name)
        return name.takeError();
      out.push_back({file, std::move(*name), static_cast<std::uint16_t>((*aux)->vna_other & llvm::ELF::VERSYM_VERSION),
                     ((*aux)->vna_flags & llvm::ELF::VER_FLG_WEAK) != 0});
      if ((*aux)->vna_next == 0)
        break;
      offset += (*aux)->vna_next;
    }
    return llvm::Error::success();
  }

  // DT_NEEDED, DT_SONAME, DT_RUNPATH and DT_RPATH, from the SHT_DYNAMIC section.
  llvm::Error dynamic(ElfFacts &out) {
    const Shdr *section = find(llvm::ELF::SHT_DYNAMIC);
    if (!section)
      return llvm::Error::success();
    auto entries = elf.template getSectionContentsAsArray<typename ELFT::Dyn>(*section);
    if (!entries)
      return entries.takeError();
    auto strings = linked_strings(*section);
    if (!strings)
      return strings.takeError();
    for (const typename ELFT::Dyn &entry : *entries) {
      std::int64_t tag = entry.getTag();
      if (tag == llvm::ELF::DT_NULL)
        break;
      if (tag != llvm::ELF::DT_NEEDED && tag != llvm::ELF::DT_SONAME && tag != llvm::ELF::DT_RUNPATH &&
          tag != llvm::ELF::DT_RPATH)
        continue;
      auto text = name_at(*strings, entry.getVal());
      if (!text)
        return text.takeError();
      if (tag == llvm::ELF::DT_NEEDED)
        out.needed.push_back(std::move(*text));
      else
        (tag == llvm::ELF::DT_SONAME ? out.soname : tag == llvm::ELF::DT_RUNPATH ? out.runpath : out.rpath) = *text;
    }
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
    llvm::ArrayRef<typename ELFT::Versym> versions;
    if (const Shdr *versym = find(llvm::ELF::SHT_GNU_versym)) {
      auto table = elf.template getSectionContentsAsArray<typename ELFT::Versym>(*versym);
      if (!table)
        return table.takeError();
      versions = *table;
    }
    out.symbols.reserve(entries->size());
    for (std::size_t i = 1; i < entries->size(); ++i) { // 0 is the null symbol
      const typename ELFT::Sym &symbol = (*entries)[i];
      auto name = symbol.getName(*strings);
      if (!name)
        return name.takeError();
      std::uint16_t version = i < versions.size() ? versions[i].vs_index & llvm::ELF::VERSYM_VERSION : 0;
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
  Reader<ELFT> reader{*elf, *sections};
  if (llvm::Error e = reader.definitions(out.definitions))
    return e;
  if (llvm::Error e = reader.needs(out.needs))
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
