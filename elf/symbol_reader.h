// SPDX-License-Identifier: MIT
// Reading the symbols of ELF files and ar archives with LLVM's libObject, as
// nm does: .dynsym of shared objects and executables (nm -D), the symbol
// table of relocatable objects and archive members (nm), and the GCC LTO
// symbol table of slim-LTO members, whose regular symbol table is empty.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <llvm/ADT/StringRef.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "elf/symbol_versions.h"

namespace abitag::elf {

struct Symbol {
  llvm::StringRef name;    // without any @VERSION: versions are read separately
  llvm::StringRef version; // empty when unversioned
  bool default_version = false; // "@@" (the default) rather than "@"
  char type = '?';         // nm's letter: T, W, U, w, D, B, R, V, u, i, C, A, n...
  bool undefined = false;
  bool weak = false;
  bool local = false;
  std::uint32_t index = 0; // in the ELF symbol table; for a slim LTO object, its place in the list
};

// Asks for the name of symbol I + 8 of SYMBOLS from memory, for a loop that
// reads them in turn: the linker sorts .dynsym by hash bucket, so the names
// lie scattered over the string table, and each read is a cache miss
// unless asked for ahead.
inline void prefetch_name_ahead(const std::vector<Symbol> &symbols, std::size_t i) {
  constexpr std::size_t kAhead = 8;
  if (i + kAhead < symbols.size())
    __builtin_prefetch(symbols[i + kAhead].name.data());
}

// One ELF object: the file itself, or one archive member.
struct ObjectSymbols {
  std::string member;                    // empty outside archives
  std::vector<Symbol> symbols;
  std::vector<llvm::StringRef> compilers; // the .comment strings
  bool slim_lto = false;                 // symbols came from .gnu.lto_.symtab
  // Why the symbols were read through the dynamic segment, as the loader
  // reads them, and not through the section headers (elf_tables.h); empty
  // when they were not.
  std::string read_through_loader;
  // Owns the version strings the symbols point into.
  SymbolVersions versions;
  // An archive member's names and .comment strings, which point here rather
  // than into the archive (its pages are dropped once read).
  std::vector<char> strings;
};

// Everything read from one input file. Names point into the mapped buffers,
// which live as long as this object (an archive member's into its
// ObjectSymbols::strings).
struct SymbolFile {
  std::vector<ObjectSymbols> objects;
  bool is_archive = false;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> buffers;
};

// Reads PATH. Any damage (a truncated header, a broken archive member, a
// symbol table that runs past the file, section headers that disagree with
// the dynamic segment, an archive index that names members or symbols that
// are not there) fails the whole file: a partial symbol list could turn
// into a wrong tag.
llvm::Expected<SymbolFile> read_symbol_file(const std::string &path);

// Reads the bytes of BUFFER as read_symbol_file reads a file: PATH names it
// and locates the members of a thin archive (relative to its folder).
llvm::Expected<SymbolFile> read_symbol_buffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                              const std::string &path);

// Reads BUFFER, a view of bytes the caller keeps, as one ELF program or
// shared object (an archive is an error): what a runtime's analyzer reads
// of an interpreter or a module.
llvm::Expected<SymbolFile> read_object_symbols(llvm::MemoryBufferRef buffer, const std::string &path);

// The first of a module's IMPORTS its host's EXPORTS lacks, with how many
// more are lacking ("Perl_foo (and 2 more)"); empty when the host has them
// all: what a runtime's check says of a module its interpreter cannot bind.
std::string unmet_imports(const std::vector<std::string> &imports, const std::set<std::string> &exports);

// Reads only the symbols of the ELF program or shared object at PATH whose
// indexes (Symbol::index) are in INDEXES, in that order: a few names of a
// large library without reading all of them. An index that names no symbol
// (the file changed since it was read) is an error.
llvm::Expected<SymbolFile> read_symbols_at(const std::string &path, const std::vector<std::size_t> &indexes);

} // namespace abitag::elf
