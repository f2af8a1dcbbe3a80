// SPDX-License-Identifier: MIT
#include "elf/elf_consistency.h"

#include <vector>

#include <llvm/BinaryFormat/ELF.h>

#include "fingerprint/errors.h"

namespace abitag::elf {

using namespace llvm::object;

namespace {

std::string hex(std::uint64_t value) { return "0x" + llvm::utohexstr(value); }

const char *tag_name(std::int64_t tag) {
  switch (tag) {
  case llvm::ELF::DT_SYMTAB: return "DT_SYMTAB";
  case llvm::ELF::DT_STRTAB: return "DT_STRTAB";
  case llvm::ELF::DT_VERSYM: return "DT_VERSYM";
  case llvm::ELF::DT_VERDEF: return "DT_VERDEF";
  case llvm::ELF::DT_VERNEED: return "DT_VERNEED";
  }
  return "a dynamic entry";
}

// The load segment that holds all of [ADDRESS, ADDRESS + SIZE) in memory.
const Segment *load_holding(const LoaderView &loader, std::uint64_t address, std::uint64_t size) {
  for (const Segment &load : loader.loads)
    if (address >= load.address && address - load.address <= load.memory_size &&
        size <= load.memory_size - (address - load.address))
      return &load;
  return nullptr;
}

// A section with contents lies before FILE_END, the end of the file bytes
// of its segment (or of the TLS template), loaded from its offset; one
// without (NOBITS: .bss, .tbss) at or past it.
template <class Shdr>
llvm::Error check_contents(const Shdr &section, const LoaderView &loader, const std::string &what,
                           std::uint64_t file_end) {
  bool nobits = section.sh_type == llvm::ELF::SHT_NOBITS;
  if (nobits && section.sh_size && section.sh_addr < file_end)
    return make_error(what + " has no contents (SHT_NOBITS) but lies in its segment's file bytes");
  if (!nobits && section.sh_size &&
      (section.sh_addr + section.sh_size > file_end ||
       loader.offset_of(section.sh_addr) != std::optional<std::uint64_t>(section.sh_offset)))
    return make_error(what + " has contents, but not where its segment loads them from");
  return llvm::Error::success();
}

// An allocated section that is not TLS: inside a load segment (LOAD), and
// its contents (check_contents) where that segment has them.
template <class Shdr>
llvm::Error check_section_bytes(const Shdr &section, const LoaderView &loader, const std::string &what,
                                const Segment *&load) {
  load = load_holding(loader, section.sh_addr, section.sh_size);
  if (!load)
    return make_error(what + " (" + std::to_string(section.sh_size) + " bytes at address " + hex(section.sh_addr) +
                      ") is not inside a load segment");
  return check_contents(section, loader, what, load->address + load->file_size);
}

template <class ELFT>
llvm::Error check_loaded_section(const typename ELFT::Shdr &section, std::size_t index, const LoaderView &loader) {
  std::string what = "section " + std::to_string(index) + ", which dynamic symbols are defined in,";
  std::uint64_t flags = section.sh_flags;
  if (section.sh_type == llvm::ELF::SHT_GROUP)
    return make_error(what + " is a section group (SHT_GROUP), which only relocatable objects have");
  // A section that is not loaded has no address (the gABI): Rust's .rustc
  // metadata, whose symbol nm shows as 'N'. One that has an address is
  // loaded, whatever its flags say.
  if (!(flags & llvm::ELF::SHF_ALLOC)) {
    if (section.sh_addr != 0)
      return make_error(what + " has an address (" + hex(section.sh_addr) + ") but is not loaded (no SHF_ALLOC)");
    return llvm::Error::success();
  }
  const Segment *load = nullptr;
  if (flags & llvm::ELF::SHF_TLS) { // its symbols' values are offsets into the TLS template
    const Segment *tls = loader.tls ? &*loader.tls : nullptr;
    if (!tls || section.sh_addr < tls->address || section.sh_addr - tls->address > tls->memory_size ||
        section.sh_size > tls->memory_size - (section.sh_addr - tls->address))
      return make_error(what + " is a TLS section (SHF_TLS) outside the TLS segment");
    load = load_holding(loader, tls->address, tls->file_size); // where the template is loaded from
    if (!load)
      return make_error("the TLS segment is not inside a load segment");
    if (llvm::Error e = check_contents(section, loader, what, tls->address + tls->file_size))
      return e;
  } else if (llvm::Error e = check_section_bytes(section, loader, what, load)) {
    return e;
  }
  if ((flags & llvm::ELF::SHF_EXECINSTR) && !(load->flags & llvm::ELF::PF_X))
    return make_error(what + " holds code (SHF_EXECINSTR) in a segment that is not executable");
  if ((flags & llvm::ELF::SHF_WRITE) && !(load->flags & llvm::ELF::PF_W))
    return make_error(what + " is writable (SHF_WRITE) in a segment that is not");
  return llvm::Error::success();
}

} // namespace

template <class ELFT>
llvm::Error check_same_table(const typename ELFT::Shdr *section, const char *name, const LoaderView &loader,
                             std::int64_t tag) {
  std::optional<std::uint64_t> address = loader.value(tag);
  if (!section && !address)
    return llvm::Error::success();
  if (!section || !address)
    return make_error(std::string("the dynamic segment ") + (address ? "has " : "has no ") + tag_name(tag) +
                      " but the section headers " + (section ? "have " : "have no ") + name);
  if (section->sh_addr != *address)
    return make_error(std::string(name) + " is at address " + hex(section->sh_addr) + ", " + tag_name(tag) + " at " +
                      hex(*address));
  if (loader.offset_of(*address) != std::optional<std::uint64_t>(section->sh_offset))
    return make_error(std::string(name) + "'s file offset " + hex(section->sh_offset) +
                      " is not where its address " + hex(*address) + " is loaded from");
  return llvm::Error::success();
}

template <class ELFT>
llvm::Error check_sections_against_loader(const ELFFile<ELFT> &elf, typename ELFT::ShdrRange sections,
                                          llvm::StringRef strings, const VersionTables &versions,
                                          const LoaderView &loader, const DynamicSymbolTable<ELFT> &dynamic) {
  using llvm::ELF::SHT_GNU_verdef, llvm::ELF::SHT_GNU_verneed, llvm::ELF::SHT_GNU_versym;
  const typename ELFT::Shdr *dynsym = section_of_type<ELFT>(sections, llvm::ELF::SHT_DYNSYM); // checked before
  auto string_section = elf.getSection(dynsym->sh_link);
  if (!string_section)
    return string_section.takeError();
  if (llvm::Error e = check_same_table<ELFT>(*string_section, ".dynstr", loader, llvm::ELF::DT_STRTAB))
    return e;
  if (strings.size() != dynamic.strings.size())
    return make_error(".dynstr holds " + std::to_string(strings.size()) + " bytes, DT_STRSZ says " +
                      std::to_string(dynamic.strings.size()));
  struct Versions {
    std::uint32_t type;
    const char *name;
    std::int64_t tag;
    std::uint64_t count, dynamic_count;
  };
  const VersionTables &theirs = dynamic.versions;
  for (const Versions &v : {Versions{SHT_GNU_versym, ".gnu.version", llvm::ELF::DT_VERSYM, 0, 0},
                            Versions{SHT_GNU_verdef, ".gnu.version_d", llvm::ELF::DT_VERDEF,
                                     versions.definition_count, theirs.definition_count},
                            Versions{SHT_GNU_verneed, ".gnu.version_r", llvm::ELF::DT_VERNEED, versions.need_count,
                                     theirs.need_count}}) {
    if (llvm::Error e = check_same_table<ELFT>(section_of_type<ELFT>(sections, v.type), v.name, loader, v.tag))
      return e;
    if (v.count != v.dynamic_count)
      return make_error(std::string(v.name) + " counts " + std::to_string(v.count) + " entries, the dynamic segment " +
                        std::to_string(v.dynamic_count));
  }
  return llvm::Error::success();
}

llvm::Error check_object_symbol(std::size_t i, std::uint8_t type, std::uint8_t binding, std::uint32_t shndx,
                                const SectionKind *section) {
  if (!section)
    return make_error("symbol " + std::to_string(i) + " is defined in section " + std::to_string(shndx) +
                      ", past the section header table");
  if (type != llvm::ELF::STT_FUNC && type != llvm::ELF::STT_OBJECT && type != llvm::ELF::STT_GNU_IFUNC &&
      type != llvm::ELF::STT_TLS)
    return llvm::Error::success(); // labels (STT_NOTYPE) may mark any section
  bool tls = type == llvm::ELF::STT_TLS;
  // A local variable may sit in a section that is never loaded: glibc's
  // link warnings (__evoke_link_warning_*, in .gnu.warning.*).
  bool local_object = type == llvm::ELF::STT_OBJECT && binding == llvm::ELF::STB_LOCAL;
  if (!section->loaded && !local_object)
    return make_error("symbol " + std::to_string(i) + ", a function or variable, is defined in section " +
                      std::to_string(shndx) + ", which is not loaded (no SHF_ALLOC)");
  if (section->group) // a group's own section lists its members; only a label may name it
    return make_error("symbol " + std::to_string(i) + ", a function or variable, is defined in section " +
                      std::to_string(shndx) + ", a section group (SHT_GROUP)");
  if (tls != section->tls)
    return make_error("symbol " + std::to_string(i) +
                      (tls ? ", a TLS variable, is defined in section " : ", not a TLS variable, in TLS section ") +
                      std::to_string(shndx));
  return llvm::Error::success();
}

template <class ELFT>
llvm::Error check_symbol_sections(typename ELFT::ShdrRange sections, llvm::ArrayRef<typename ELFT::Sym> symbols,
                                  const LoaderView &loader) {
  // By section only: BOLT leaves the dynamic symbols of the files it
  // rewrites (Rust's librustc_driver, its libLLVM) with section indexes that
  // no longer match their kinds, or past the table, and nm shows them so.
  std::vector<bool> checked(sections.size());
  for (std::size_t i = 1; i < symbols.size(); ++i) {
    std::uint32_t index = symbols[i].st_shndx;
    if (index == llvm::ELF::SHN_UNDEF || index >= sections.size() || checked[index])
      continue; // past the table (BOLT's too): '?', as nm shows it
    checked[index] = true;
    if (llvm::Error e = check_loaded_section<ELFT>(sections[index], index, loader))
      return e;
  }
  return llvm::Error::success();
}

#define ABITAG_INSTANTIATE(ELFT)                                                                                  \
  template llvm::Error check_same_table<ELFT>(const ELFT::Shdr *, const char *, const LoaderView &, std::int64_t); \
  template llvm::Error check_sections_against_loader(const ELFFile<ELFT> &, ELFT::ShdrRange, llvm::StringRef,    \
                                                     const VersionTables &, const LoaderView &,                  \
                                                     const DynamicSymbolTable<ELFT> &);                          \
  template llvm::Error check_symbol_sections<ELFT>(ELFT::ShdrRange, llvm::ArrayRef<ELFT::Sym>, const LoaderView &);
ABITAG_INSTANTIATE(ELF32LE)
ABITAG_INSTANTIATE(ELF32BE)
ABITAG_INSTANTIATE(ELF64LE)
ABITAG_INSTANTIATE(ELF64BE)
#undef ABITAG_INSTANTIATE

} // namespace abitag::elf
