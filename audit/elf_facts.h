// SPDX-License-Identifier: MIT
// What the audit makes of one ELF file after reading it once: the loader's
// view (class, machine, needed libraries, search paths, versions), the
// symbols it imports and exports as 64-bit hashes, and its C++ ABI census
// verdict. The mapped file is released as soon as this is built. The symbol
// keys, a few bytes per symbol, are the part that grows with the files:
// the audit keeps them within a memory budget (symbol_key_cache.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "elf/symbol_reader.h"

namespace abitag::audit {

// Keys of the export table. A definition is entered under the keys a
// reference can look it up by (glibc's check_match):
//  - versioned (NAME, V): a reference to NAME@V finds it;
//  - unversioned (NAME): a reference to NAME@anything finds it (the library
//    has no version for it), and so does an unversioned reference;
//  - default (NAME): an unversioned reference finds a non-hidden versioned one.
std::uint64_t versioned_key(std::string_view name, std::string_view version);
std::uint64_t unversioned_key(std::string_view name);
std::uint64_t default_key(std::string_view name);

// One undefined, non-weak dynamic symbol.
struct Import {
  std::uint64_t key = 0;      // versioned_key, or default_key when unversioned
  std::uint64_t fallback = 0; // unversioned_key for a versioned reference, else 0
  std::uint32_t symbol = 0;   // its index in the file's symbol table, to name it later
};

// The versions a file requires from one library (.gnu.version_r).
struct VersionNeed {
  std::string file; // the soname, vn_file
  std::vector<std::string> versions; // non-weak only
};

// The C++ ABI census of one file, from analyzers/cxxabi's verdict.
struct CensusFacts {
  std::string verdict;
  std::vector<std::string> flags;
  std::uint8_t interface_families = 0; // cxxabi::Family bits of the library's own interface
  std::uint8_t used_families = 0;      // ... of everything it defines or imports, but an embedded stdlib
};

// The keys a file exports, in an open-addressing table at most three
// quarters full. The loader's search asks every library in scope for every
// import, and most libraries answer no: a few probes in one or two cache
// lines, where a sorted vector took a binary search (and its sort).
class KeySet {
public:
  // Room for up to CAPACITY keys, to be added by insert().
  explicit KeySet(std::size_t capacity = 0);
  void insert(std::uint64_t key);
  // The same for many keys, each slot asked for from memory a few keys ahead.
  void insert_all(const std::vector<std::uint64_t> &keys);
  bool contains(std::uint64_t key) const;
  // Calls VISIT with every key, in no order.
  template <class Visit> void for_each(Visit visit) const {
    if (has_zero_)
      visit(std::uint64_t{0});
    for (std::uint64_t key : slots_)
      if (key != 0)
        visit(key);
  }
  std::size_t bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }

private:
  // Asks for the slot insert(KEY) will read first: in a large table each
  // insert is a cache miss otherwise.
  void prefetch(std::uint64_t key) const;

  std::vector<std::uint64_t> slots_; // 0: empty; key 0 itself is has_zero_
  std::uint64_t mask_ = 0;
  bool has_zero_ = false;
};

// What a file's linkage check needs of its symbols and of its libraries'.
struct SymbolKeys {
  KeySet exports; // keys (see above)
  std::vector<Import> imports;
  std::size_t bytes() const { return exports.bytes() + imports.capacity() * sizeof(Import); }
};

struct ElfFacts {
  std::uint8_t elf_class = 0; // ELFCLASS32 / ELFCLASS64
  std::uint8_t data = 0;      // ELFDATA2LSB / ELFDATA2MSB
  std::uint16_t machine = 0;
  std::uint16_t type = 0;     // ET_EXEC, ET_DYN, ET_REL...
  bool dynamic = false;       // has a dynamic section: the loader deals with it
  std::string soname;
  std::string interpreter;    // PT_INTERP
  std::vector<std::string> needed;
  std::vector<std::string> rpath;   // DT_RPATH, split at ':'
  std::vector<std::string> runpath; // DT_RUNPATH, split at ':'
  bool has_runpath = false;
  bool has_version_definitions = false;
  std::vector<std::string> version_definitions; // .gnu.version_d names
  std::vector<VersionNeed> version_needs;
  SymbolKeys keys; // moved out by the scan, into its SymbolKeyCache
  CensusFacts census;
  // The file's last bytes (sbcl::kTrailerBytes): where an SBCL executable
  // core keeps the trailer that leads to its core.
  std::string tail;

  // Whether the loader treats it as a program or library (not an object file).
  bool loadable() const { return dynamic && (type == 2 /*ET_EXEC*/ || type == 3 /*ET_DYN*/); }
  // A program: an executable, or a shared object with a loader of its own
  // (a PIE, libc.so.6).
  bool is_program() const { return type == 2 /*ET_EXEC*/ || !interpreter.empty(); }
  // Whether one process can hold both: the same class, byte order and machine.
  bool same_target(const ElfFacts &other) const {
    return elf_class == other.elf_class && data == other.data && machine == other.machine;
  }
};

// Reads PATH once: its dynamic section and program headers, then its symbols
// through analyzers/cxxabi's reader, and (when CENSUS) its classifier.
llvm::Expected<ElfFacts> read_elf_facts(const std::string &path, bool census = true);
// Only the loader's view of PATH (class, machine, type, soname, needed
// libraries, search paths, interpreter), no symbols: what an index of who
// needs which library reads of every ELF file.
llvm::Expected<ElfFacts> read_loader_facts(const std::string &path);
// The same from bytes in memory, named by the buffer's identifier.
llvm::Expected<ElfFacts> read_elf_facts(std::unique_ptr<llvm::MemoryBuffer> buffer, bool census = true);

// The dynamic symbols of PATH, all of them: read again only for the
// libraries in the scope of a file whose C++ imports do not resolve, to look
// for a dual-ABI twin. The names stay in the mapped file: a symbol is copied
// out only when asked for.
struct DynamicSymbol {
  std::string name;
  std::string version;
  bool undefined = false;
  bool weak = false;
  bool local = false;
};
class DynamicSymbols {
public:
  explicit DynamicSymbols(elf::SymbolFile file) : file_(std::move(file)) {}
  const std::vector<elf::Symbol> &all() const { return file_.objects.front().symbols; }
  std::size_t size() const { return all().size(); }
  DynamicSymbol operator[](std::size_t i) const; // a copy of one

private:
  elf::SymbolFile file_;
};
llvm::Expected<DynamicSymbols> read_dynamic_symbols(const std::string &path);
// Only the symbols of PATH at the symbol table INDEXES (Import::symbol), in
// that order: the imports of a file that do not resolve, named without
// reading the 100,000 other names of a large library.
llvm::Expected<std::vector<DynamicSymbol>> read_dynamic_symbols(const std::string &path,
                                                                const std::vector<std::size_t> &indexes);

} // namespace abitag::audit
