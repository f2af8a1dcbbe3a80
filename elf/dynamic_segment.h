// SPDX-License-Identifier: MIT
// A program or shared object as the dynamic loader reads it: through its
// program headers, never its section headers. PT_LOAD says which file bytes
// lie at which address; PT_DYNAMIC lists the tables the loader uses
// (DT_SYMTAB, DT_STRTAB, DT_GNU_HASH...), by address. This is what still
// works when the section header table is gone (sstrip) or is garbage, and
// what the section headers, when there are any, must agree with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Object/ELF.h>
#include <llvm/Support/Error.h>

#include "elf/symbol_versions.h"

namespace abitag::elf {

struct Segment {
  std::uint64_t address = 0, offset = 0, file_size = 0, memory_size = 0;
  std::uint32_t flags = 0; // PF_R, PF_W, PF_X
};

struct DynamicEntry {
  std::int64_t tag = 0;
  std::uint64_t value = 0;
};

// The dynamic segment and the load segments it is read through. Every
// address the entries hold is mapped to file bytes by the loads; one that
// no load holds in the file, or a table that runs past its load, is an error
// when asked for.
struct LoaderView {
  llvm::ArrayRef<std::uint8_t> file;
  std::vector<Segment> loads; // PT_LOAD, each inside the file
  std::optional<Segment> tls; // PT_TLS: where STT_TLS symbol values point
  std::optional<Segment> dynamic; // the first PT_DYNAMIC
  std::vector<DynamicEntry> entries; // up to DT_NULL, which is not kept

  // The value of the first entry with TAG, or nullopt.
  std::optional<std::uint64_t> value(std::int64_t tag) const;
  // The load segment that holds ADDRESS in memory (file bytes or not).
  const Segment *load_of(std::uint64_t address) const;
  // SIZE file bytes at ADDRESS, inside one load's file bytes; WHAT names
  // the table in the error.
  llvm::Expected<llvm::ArrayRef<std::uint8_t>> bytes_at(std::uint64_t address, std::uint64_t size,
                                                        llvm::StringRef what) const;
  // The file bytes from ADDRESS to the end of its load's file bytes: for a
  // table whose size the format does not record.
  llvm::Expected<llvm::ArrayRef<std::uint8_t>> bytes_from(std::uint64_t address, llvm::StringRef what) const;
  // The file offset of ADDRESS, when a load holds it in the file.
  std::optional<std::uint64_t> offset_of(std::uint64_t address) const;
};

// Reads the program headers and the dynamic segment of ELF. A file without
// PT_DYNAMIC gives a view without `dynamic`. Fails when the program header
// table, a load or the dynamic segment runs past the file, a load holds more
// file bytes than memory, the dynamic segment is not where its load puts its
// address, or its entries have no DT_NULL end.
template <class ELFT> llvm::Expected<LoaderView> read_loader_view(const llvm::object::ELFFile<ELFT> &elf);

// The number of dynamic symbols by the hash tables: DT_GNU_HASH (its
// buckets and chains walked) or DT_HASH (nchain), both when both are there
// and must agree. A GNU hash table that hashes no symbol (a program that
// only imports) gives only a lower bound.
struct SymbolCount {
  std::uint64_t count = 0;
  bool exact = false; // false: at least COUNT
  bool admits(std::uint64_t n) const { return exact ? n == count : n >= count; }
};
// MACHINE: e_machine, for the entry size of DT_HASH (64-bit on s390x).
template <class ELFT> llvm::Expected<SymbolCount> count_dynamic_symbols(const LoaderView &view, std::uint16_t machine);

// The dynamic symbol table as the loader finds it: COUNT symbols at
// DT_SYMTAB, its strings (DT_STRTAB, DT_STRSZ) and versions (DT_VERSYM,
// DT_VERDEF, DT_VERNEED).
template <class ELFT> struct DynamicSymbolTable {
  llvm::ArrayRef<typename ELFT::Sym> symbols;
  llvm::StringRef strings;
  VersionTables versions;
};

// Fails when VIEW has no DT_SYMTAB, DT_STRTAB or DT_STRSZ, or a table it
// names is not in the file.
template <class ELFT>
llvm::Expected<DynamicSymbolTable<ELFT>> read_dynamic_symbol_table(const LoaderView &view, std::uint64_t count);

} // namespace abitag::elf
