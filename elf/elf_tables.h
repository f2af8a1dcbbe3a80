// SPDX-License-Identifier: MIT
// Where the symbols of one ELF object are, and how sure that is. A
// relocatable object's are in its .symtab, found by its section headers. A
// program's or shared object's are where the loader finds them, through the
// dynamic segment (dynamic_segment.h); its section headers, when they
// describe the file, must agree with that: .dynsym, .dynstr and the version
// sections at the addresses DT_SYMTAB, DT_STRTAB, DT_VERSYM, DT_VERDEF and
// DT_VERNEED give, .dynsym as long as the hash table counts, .gnu.version
// one entry per symbol. Any disagreement is an error: which side is damaged
// cannot be told. Without section headers, or with a table that does not
// describe the dynamic segment at all (zeroed, moved, sstrip-ed), the symbols
// are read through the dynamic segment alone, and the view says so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <llvm/Object/ELF.h>
#include <llvm/Support/Error.h>

#include "elf/dynamic_segment.h"
#include "elf/elf_consistency.h"
#include "elf/symbol_versions.h"

namespace abitag::elf {

template <class ELFT> struct ElfTables {
  llvm::ArrayRef<typename ELFT::Sym> symbols; // empty when the object has none
  llvm::StringRef strings;
  llvm::ArrayRef<typename ELFT::Word> extended_indexes; // SHT_SYMTAB_SHNDX, for SHN_XINDEX
  VersionTables versions; // of a dynamic symbol table only
  bool relocatable = false;
  // By section index: from the section headers, or, when read through the
  // loader, what the segments say of the sections the symbols name
  // (segment_letters.h).
  std::vector<SectionKind> sections;
  std::optional<LoaderView> loader;
  std::vector<llvm::StringRef> compilers;  // the .comment strings
  std::vector<llvm::StringRef> lto_tables; // .gnu.lto_.symtab.* contents
  // Why the symbols were read through the dynamic segment; empty when they
  // were read through the section headers.
  std::string read_through_loader;

  // nm's letter (lower case) for a symbol defined in section SHNDX (not
  // SHN_UNDEF, SHN_ABS or SHN_COMMON), or '?'.
  SectionKind section_of(std::uint32_t shndx, const typename ELFT::Sym &symbol) const;
};

// Locates the tables of ELF. ASK_AHEAD: ask the kernel for their pages now
// (all of them will be read).
template <class ELFT>
llvm::Expected<ElfTables<ELFT>> locate_elf_tables(const llvm::object::ELFFile<ELFT> &elf, bool ask_ahead);

// The version tables as the section headers give them (.gnu.version,
// .gnu.version_d, .gnu.version_r): each empty when there is none.
template <class ELFT>
llvm::Error read_section_versions(const llvm::object::ELFFile<ELFT> &elf, typename ELFT::ShdrRange sections,
                                  VersionTables &out);

// Whether ELF is a separate debug-info file (objcopy --only-keep-debug):
// its sections keep their addresses but not their contents (the dynamic
// section is NOBITS), and its program headers point at bytes it does not
// hold. The loader never loads one.
template <class ELFT> bool is_debug_only(const llvm::object::ELFFile<ELFT> &elf);

} // namespace abitag::elf
