// SPDX-License-Identifier: MIT
// What the section headers of a program or shared object must agree with,
// when they describe the file at all (elf_tables.h): the dynamic segment,
// which is what the loader reads, and the load segments. Each check fails
// with the disagreement it found: which of the two is damaged cannot be
// told, so nothing read from either can be trusted.
#pragma once

#include <cstdint>

#include <llvm/ADT/StringRef.h>
#include <llvm/Object/ELF.h>
#include <llvm/Support/Error.h>

#include "elf/dynamic_segment.h"
#include "elf/symbol_versions.h"

namespace abitag::elf {

// What a defined symbol's section says of it: nm's letter (lower case),
// whether it is a COMDAT group, whose signature symbol nm does not show,
// and whether it is loaded (SHF_ALLOC) and thread-local (SHF_TLS).
struct SectionKind {
  char letter = '?';
  bool group = false;
  bool loaded = true;
  bool tls = false;
};

// The first section of TYPE, or null.
template <class ELFT>
const typename ELFT::Shdr *section_of_type(typename ELFT::ShdrRange sections, std::uint32_t type) {
  for (const typename ELFT::Shdr &section : sections)
    if (section.sh_type == type)
      return &section;
  return nullptr;
}

// SECTION (NAME, or null when the headers have none) must be the table the
// dynamic entry TAG (DT_SYMTAB, DT_STRTAB, DT_VERSYM, DT_VERDEF, DT_VERNEED)
// points to: both absent, or at the same address, loaded from its offset.
template <class ELFT>
llvm::Error check_same_table(const typename ELFT::Shdr *section, const char *name, const LoaderView &loader,
                             std::int64_t tag);

// .dynstr (the string table of .dynsym, STRINGS as read) and the version
// sections (VERSIONS as read) against DT_STRTAB/DT_STRSZ and DT_VERSYM,
// DT_VERDEF/DT_VERDEFNUM, DT_VERNEED/DT_VERNEEDNUM (DYNAMIC as read).
template <class ELFT>
llvm::Error check_sections_against_loader(const llvm::object::ELFFile<ELFT> &elf, typename ELFT::ShdrRange sections,
                                          llvm::StringRef strings, const VersionTables &versions,
                                          const LoaderView &loader, const DynamicSymbolTable<ELFT> &dynamic);

// nm's letters come from the sections the dynamic symbols are defined in:
// none is a section group; each allocated one must be what the loader loads
// at its address (inside a
// load segment, its contents where the segment takes its file bytes from, a
// NOBITS section past them, a TLS section inside PT_TLS) and no more
// executable or writable than its segment; one that is not allocated must
// have no address.
template <class ELFT>
llvm::Error check_symbol_sections(typename ELFT::ShdrRange sections, llvm::ArrayRef<typename ELFT::Sym> symbols,
                                  const LoaderView &loader);

// Symbol I of a relocatable object (its TYPE and BINDING), defined in
// section SHNDX of kind SECTION (null when the table has no such section):
// a function, a global variable or a TLS variable lies in an allocated
// section (a local variable may not: glibc's link warnings) that is not a
// section group, a TLS variable (STT_TLS) in a TLS section (SHF_TLS) and no
// other function or variable there. (Not for a program or library: BOLT leaves their section indexes
// stale.) Checked as the symbols are read, not in a pass of its own.
llvm::Error check_object_symbol(std::size_t i, std::uint8_t type, std::uint8_t binding, std::uint32_t shndx,
                                const SectionKind *section);

} // namespace abitag::elf
