// SPDX-License-Identifier: MIT
#include "elf/elf_tables.h"

#include <llvm/BinaryFormat/ELF.h>

#include "elf/elf_consistency.h"
#include "elf/segment_letters.h"
#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"

namespace abitag::elf {

using llvm::Expected;
using namespace llvm::object;

namespace {

// nm's letter for a symbol defined in a section, from the section's flags.
template <class ELFT> char section_letter(const ELFFile<ELFT> &elf, const typename ELFT::Shdr &section) {
  uint64_t flags = section.sh_flags;
  uint32_t type = section.sh_type;
  if (type == llvm::ELF::SHT_GROUP)
    return 'n';
  if (!(flags & llvm::ELF::SHF_ALLOC)) {
    Expected<llvm::StringRef> name = elf.getSectionName(section);
    bool debug = name && name->startswith(".debug");
    if (!name)
      llvm::consumeError(name.takeError());
    return debug ? 'N' : 'n';
  }
  if (flags & llvm::ELF::SHF_EXECINSTR)
    return 't';
  if (type == llvm::ELF::SHT_NOBITS)
    return 'b';
  if (flags & llvm::ELF::SHF_WRITE)
    return 'd';
  return 'r';
}

void ask(llvm::ArrayRef<std::uint8_t> file, llvm::ArrayRef<std::uint8_t> part) {
  if (!part.empty())
    will_read(llvm::toStringRef(file), part.data(), part.size());
}

template <class ELFT> void ask_ahead(const ElfTables<ELFT> &tables, llvm::ArrayRef<std::uint8_t> file) {
  ask(file, llvm::ArrayRef<std::uint8_t>(reinterpret_cast<const std::uint8_t *>(tables.symbols.data()),
                                         tables.symbols.size() * sizeof(typename ELFT::Sym)));
  ask(file, llvm::arrayRefFromStringRef(tables.strings));
  ask(file, tables.versions.versym);
  if (tables.loader) // its definitions and needs run to the end of their segment
    return;
  ask(file, tables.versions.definitions);
  ask(file, tables.versions.needs);
}

// .comment, the LTO symbol tables, and each section's kind.
template <class ELFT>
llvm::Error read_section_kinds(const ELFFile<ELFT> &elf, typename ELFT::ShdrRange sections, ElfTables<ELFT> &out) {
  out.sections.reserve(sections.size());
  for (const typename ELFT::Shdr &section : sections) {
    std::uint64_t flags = section.sh_flags;
    out.sections.push_back({section_letter(elf, section), section.sh_type == llvm::ELF::SHT_GROUP,
                            bool(flags & llvm::ELF::SHF_ALLOC), bool(flags & llvm::ELF::SHF_TLS)});
    if (section.sh_type != llvm::ELF::SHT_PROGBITS)
      continue;
    Expected<llvm::StringRef> name = elf.getSectionName(section);
    if (!name)
      return name.takeError();
    if (*name != ".comment" && !name->startswith(".gnu.lto_.symtab."))
      continue;
    Expected<llvm::ArrayRef<uint8_t>> bytes = elf.getSectionContents(section);
    if (!bytes)
      return bytes.takeError();
    llvm::StringRef contents = llvm::toStringRef(*bytes);
    if (*name == ".comment") {
      llvm::SmallVector<llvm::StringRef, 4> strings;
      contents.split(strings, '\0', -1, /*KeepEmpty=*/false);
      out.compilers.insert(out.compilers.end(), strings.begin(), strings.end());
    } else {
      out.lto_tables.push_back(contents);
    }
  }
  return llvm::Error::success();
}

// The version section of TYPE: its bytes, sh_info and its strings (sh_link).
template <class ELFT>
llvm::Error read_version_section(const ELFFile<ELFT> &elf, typename ELFT::ShdrRange sections, std::uint32_t type,
                                 llvm::ArrayRef<std::uint8_t> &bytes, std::uint64_t *count, llvm::StringRef *strings) {
  const typename ELFT::Shdr *section = section_of_type<ELFT>(sections, type);
  if (!section)
    return llvm::Error::success();
  Expected<llvm::ArrayRef<uint8_t>> contents = elf.getSectionContents(*section);
  if (!contents)
    return contents.takeError();
  bytes = *contents;
  if (!count)
    return llvm::Error::success();
  *count = section->sh_info;
  auto table = elf.getSection(section->sh_link);
  if (!table)
    return table.takeError();
  Expected<llvm::StringRef> text = elf.getStringTable(**table);
  if (!text)
    return text.takeError();
  *strings = *text;
  return llvm::Error::success();
}

// The tables as the section headers give them: .symtab of a relocatable
// object, .dynsym of anything else.
template <class ELFT>
Expected<ElfTables<ELFT>> from_sections(const ELFFile<ELFT> &elf, typename ELFT::ShdrRange sections) {
  ElfTables<ELFT> out;
  out.relocatable = elf.getHeader().e_type == llvm::ELF::ET_REL;
  if (llvm::Error e = read_section_kinds(elf, sections, out))
    return e;
  const typename ELFT::Shdr *table =
      section_of_type<ELFT>(sections, out.relocatable ? llvm::ELF::SHT_SYMTAB : llvm::ELF::SHT_DYNSYM);
  if (!table)
    return out; // a stripped object, or an executable without .dynsym
  auto symbols = elf.symbols(table);
  if (!symbols)
    return symbols.takeError();
  auto strings = elf.getStringTableForSymtab(*table, sections);
  if (!strings)
    return strings.takeError();
  out.symbols = *symbols;
  out.strings = *strings;
  for (const typename ELFT::Shdr &section : sections) {
    if (section.sh_type != llvm::ELF::SHT_SYMTAB_SHNDX || section.sh_link >= sections.size() ||
        &sections[section.sh_link] != table)
      continue;
    auto indexes = elf.template getSectionContentsAsArray<typename ELFT::Word>(section);
    if (!indexes)
      return indexes.takeError();
    out.extended_indexes = *indexes;
  }
  if (out.relocatable)
    return out; // its symbols are checked as they are read (check_object_symbol)
  if (llvm::Error e = read_section_versions(elf, sections, out.versions))
    return e;
  // nm's own check: one version entry per symbol.
  if (section_of_type<ELFT>(sections, llvm::ELF::SHT_GNU_versym) &&
      out.versions.versym.size() != 2 * out.symbols.size())
    return make_error(".gnu.version has " + std::to_string(out.versions.versym.size() / 2) + " entries for the " +
                      std::to_string(out.symbols.size()) + " symbols of .dynsym");
  return out;
}

// Whether the section headers describe the file the loader sees: one of
// them is the dynamic segment, at its address and offset.
enum class SectionTable { Sound, Missing, Garbage, DebugOnly };

template <class ELFT>
SectionTable judge_section_table(const std::optional<typename ELFT::ShdrRange> &sections, const Segment &dynamic) {
  if (!sections)
    return SectionTable::Garbage;
  if (sections->empty())
    return SectionTable::Missing;
  for (const typename ELFT::Shdr &section : *sections) {
    if (section.sh_addr != dynamic.address || !(section.sh_flags & llvm::ELF::SHF_ALLOC))
      continue;
    if (section.sh_type == llvm::ELF::SHT_DYNAMIC && section.sh_offset == dynamic.offset)
      return SectionTable::Sound;
    // A separate debug-info file: the sections keep their addresses but
    // not their contents (.dynsym too), and the program headers point at
    // nothing.
    if (section.sh_type == llvm::ELF::SHT_NOBITS && !section_of_type<ELFT>(*sections, llvm::ELF::SHT_DYNSYM))
      return SectionTable::DebugOnly;
  }
  return SectionTable::Garbage;
}

template <class ELFT>
ElfTables<ELFT> from_loader(LoaderView loader, const DynamicSymbolTable<ELFT> *dynamic, std::string why) {
  ElfTables<ELFT> out;
  if (dynamic) {
    out.symbols = dynamic->symbols;
    out.strings = dynamic->strings;
    out.versions = dynamic->versions;
    for (char letter : section_letters_by_segment<ELFT>(loader, dynamic->symbols))
      out.sections.push_back({letter, false, true, false});
  }
  out.loader = std::move(loader);
  out.read_through_loader = std::move(why);
  return out;
}

// The section headers of ELF, or nullopt with the reason in UNREADABLE.
template <class ELFT>
std::optional<typename ELFT::ShdrRange> section_headers(const ELFFile<ELFT> &elf, std::string &unreadable) {
  Expected<typename ELFT::ShdrRange> sections = elf.sections();
  if (sections)
    return *sections;
  unreadable = to_message(sections.takeError());
  return std::nullopt;
}

template <class ELFT> const typename ELFT::Phdr *first_dynamic_header(typename ELFT::PhdrRange headers) {
  for (const typename ELFT::Phdr &header : headers)
    if (header.p_type == llvm::ELF::PT_DYNAMIC)
      return &header;
  return nullptr;
}

// The tables as section headers that describe the file give them, once
// checked against what the loader reads (elf_consistency.h); COUNTED: the
// number of symbols by the hash tables.
template <class ELFT>
Expected<ElfTables<ELFT>> from_checked_sections(const ELFFile<ELFT> &elf, typename ELFT::ShdrRange sections,
                                                const LoaderView &loader, SymbolCount counted) {
  Expected<ElfTables<ELFT>> read = from_sections(elf, sections);
  if (!read)
    return read.takeError();
  if (llvm::Error e = check_same_table<ELFT>(section_of_type<ELFT>(sections, llvm::ELF::SHT_DYNSYM), ".dynsym",
                                             loader, llvm::ELF::DT_SYMTAB))
    return e;
  if (!counted.admits(read->symbols.size()))
    return make_error(".dynsym holds " + std::to_string(read->symbols.size()) + " symbols, the hash table counts " +
                      (counted.exact ? "" : "at least ") + std::to_string(counted.count));
  Expected<DynamicSymbolTable<ELFT>> table = read_dynamic_symbol_table<ELFT>(loader, read->symbols.size());
  if (!table)
    return table.takeError();
  if (llvm::Error e = check_sections_against_loader(elf, sections, read->strings, read->versions, loader, *table))
    return e;
  if (llvm::Error e = check_symbol_sections<ELFT>(sections, read->symbols, loader))
    return e;
  return read;
}

// A program or shared object: see elf_tables.h.
template <class ELFT> Expected<ElfTables<ELFT>> locate_loaded_tables(const ELFFile<ELFT> &elf) {
  std::string unreadable;
  std::optional<typename ELFT::ShdrRange> sections = section_headers(elf, unreadable);
  auto headers = elf.program_headers();
  if (!headers)
    return make_error("the program header table: " + to_message(headers.takeError()));
  const typename ELFT::Phdr *dynamic = first_dynamic_header<ELFT>(*headers);
  if (!dynamic) {
    if (!sections)
      return make_error(unreadable);
    if (section_of_type<ELFT>(*sections, llvm::ELF::SHT_DYNAMIC))
      return make_error("a .dynamic section but no PT_DYNAMIC program header");
    return from_sections(elf, *sections); // linked statically
  }
  SectionTable judged = judge_section_table<ELFT>(sections, Segment{dynamic->p_vaddr, dynamic->p_offset});
  if (judged == SectionTable::DebugOnly)
    return from_sections(elf, *sections);
  Expected<LoaderView> loader = read_loader_view(elf);
  if (!loader)
    return loader.takeError();
  std::string why = judged == SectionTable::Missing ? "there is no section header table"
                    : !sections ? "the section header table is unreadable (" + unreadable + ")"
                                : "the section header table does not describe the dynamic segment";
  if (!loader->value(llvm::ELF::DT_SYMTAB)) {
    if (judged != SectionTable::Sound)
      return from_loader<ELFT>(std::move(*loader), nullptr, why); // the loader sees no symbols
    if (section_of_type<ELFT>(*sections, llvm::ELF::SHT_DYNSYM))
      return make_error("a .dynsym section but no DT_SYMTAB in the dynamic segment");
    return from_sections(elf, *sections);
  }
  Expected<SymbolCount> counted = count_dynamic_symbols<ELFT>(*loader, elf.getHeader().e_machine);
  if (!counted)
    return counted.takeError();
  if (judged != SectionTable::Sound) {
    if (!counted->exact)
      return make_error(why + ", and the dynamic symbols cannot be counted without it: the GNU hash table hashes "
                              "none of them and there is no DT_HASH");
    Expected<DynamicSymbolTable<ELFT>> table = read_dynamic_symbol_table<ELFT>(*loader, counted->count);
    if (!table)
      return table.takeError();
    return from_loader(std::move(*loader), &*table, why);
  }
  return from_checked_sections(elf, *sections, *loader, *counted);
}

} // namespace

template <class ELFT>
llvm::Error read_section_versions(const ELFFile<ELFT> &elf, typename ELFT::ShdrRange sections, VersionTables &out) {
  if (llvm::Error e = read_version_section(elf, sections, llvm::ELF::SHT_GNU_versym, out.versym, nullptr, nullptr))
    return e;
  if (llvm::Error e = read_version_section(elf, sections, llvm::ELF::SHT_GNU_verdef, out.definitions,
                                           &out.definition_count, &out.definition_strings))
    return e;
  return read_version_section(elf, sections, llvm::ELF::SHT_GNU_verneed, out.needs, &out.need_count,
                              &out.need_strings);
}

template <class ELFT>
SectionKind ElfTables<ELFT>::section_of(std::uint32_t shndx, const typename ELFT::Sym &symbol) const {
  if (loader && (shndx >= sections.size() || sections[shndx].letter == '?'))
    return {segment_letter(*loader, symbol.st_value, symbol.st_size, symbol.getType()), false};
  return shndx < sections.size() ? sections[shndx] : SectionKind{};
}

template <class ELFT> Expected<ElfTables<ELFT>> locate_elf_tables(const ELFFile<ELFT> &elf, bool ask) {
  Expected<ElfTables<ELFT>> tables = [&]() -> Expected<ElfTables<ELFT>> {
    if (elf.getHeader().e_type != llvm::ELF::ET_REL)
      return locate_loaded_tables(elf);
    auto sections = elf.sections();
    if (!sections)
      return sections.takeError();
    return from_sections(elf, *sections);
  }();
  if (tables && ask)
    ask_ahead(*tables, llvm::ArrayRef<std::uint8_t>(elf.base(), elf.getBufSize()));
  return tables;
}

template <class ELFT> bool is_debug_only(const ELFFile<ELFT> &elf) {
  std::string unreadable;
  std::optional<typename ELFT::ShdrRange> sections = section_headers(elf, unreadable);
  auto headers = elf.program_headers();
  if (!headers) {
    llvm::consumeError(headers.takeError());
    return false;
  }
  const typename ELFT::Phdr *dynamic = first_dynamic_header<ELFT>(*headers);
  return dynamic &&
         judge_section_table<ELFT>(sections, Segment{dynamic->p_vaddr, dynamic->p_offset}) == SectionTable::DebugOnly;
}

template struct ElfTables<ELF32LE>;
template struct ElfTables<ELF32BE>;
template struct ElfTables<ELF64LE>;
template struct ElfTables<ELF64BE>;
template Expected<ElfTables<ELF32LE>> locate_elf_tables(const ELFFile<ELF32LE> &, bool);
template Expected<ElfTables<ELF32BE>> locate_elf_tables(const ELFFile<ELF32BE> &, bool);
template Expected<ElfTables<ELF64LE>> locate_elf_tables(const ELFFile<ELF64LE> &, bool);
template Expected<ElfTables<ELF64BE>> locate_elf_tables(const ELFFile<ELF64BE> &, bool);
template bool is_debug_only(const ELFFile<ELF32LE> &);
template bool is_debug_only(const ELFFile<ELF32BE> &);
template bool is_debug_only(const ELFFile<ELF64LE> &);
template bool is_debug_only(const ELFFile<ELF64BE> &);
template llvm::Error read_section_versions(const ELFFile<ELF32LE> &, ELF32LE::ShdrRange, VersionTables &);
template llvm::Error read_section_versions(const ELFFile<ELF32BE> &, ELF32BE::ShdrRange, VersionTables &);
template llvm::Error read_section_versions(const ELFFile<ELF64LE> &, ELF64LE::ShdrRange, VersionTables &);
template llvm::Error read_section_versions(const ELFFile<ELF64BE> &, ELF64BE::ShdrRange, VersionTables &);

} // namespace abitag::elf
