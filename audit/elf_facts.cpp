// SPDX-License-Identifier: MIT
#include "audit/elf_facts.h"

#include <algorithm>

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELFObjectFile.h>

#include "analyzers/cxxabi/cxxabi.h"
#include "analyzers/sbcl/sbcl.h"
#include "elf/dynamic_names.h"
#include "elf/dynamic_segment.h"
#include "elf/elf_file.h"
#include "elf/elf_tables.h"
#include "elf/symbol_reader.h"
#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/name_hash.h"

namespace abitag::audit {

using namespace llvm::object;

namespace {

// A key mixes the hash of the name with a kind marker and the hash of the
// version, so the three kinds of keys of one name never meet. No copy of
// the name is made, and it is hashed once for all its keys: this runs for
// every dynamic symbol under ROOT.
std::uint64_t hash_of(std::string_view text) {
  return text.empty() ? 0 : name_hash(text);
}

std::uint64_t key_of(std::uint64_t name_hash, std::uint64_t marker, std::uint64_t version_hash) {
  std::uint64_t h = name_hash;
  h ^= (version_hash + marker * 0x9e3779b97f4a7c15ULL) + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

constexpr std::uint64_t kVersioned = 1, kUnversioned = 2, kDefault = 3;

template <class ELFT> llvm::Error read_loader_view(const ELFFile<ELFT> &elf, ElfFacts &out) {
  const auto &header = elf.getHeader();
  out.elf_class = header.e_ident[llvm::ELF::EI_CLASS];
  out.data = header.e_ident[llvm::ELF::EI_DATA];
  out.machine = header.e_machine;
  out.type = header.e_type;
  // A separate debug-info file keeps the program headers but not the
  // contents: the loader never sees it.
  if (elf::is_debug_only(elf))
    return llvm::Error::success();
  llvm::Expected<elf::LoaderView> loader = elf::read_loader_view(elf);
  if (!loader)
    return loader.takeError();
  auto phdrs = elf.program_headers();
  if (!phdrs)
    return phdrs.takeError();
  for (const auto &phdr : *phdrs) {
    if (phdr.p_type != llvm::ELF::PT_INTERP)
      continue;
    if (phdr.p_offset > elf.getBufSize() || elf.getBufSize() - phdr.p_offset < phdr.p_filesz)
      return make_error("PT_INTERP runs past the end of the file");
    llvm::StringRef interp(reinterpret_cast<const char *>(elf.base() + phdr.p_offset), phdr.p_filesz);
    out.interpreter = interp.take_until([](char c) { return c == '\0'; }).str();
  }
  out.dynamic = loader->dynamic.has_value();
  if (!out.dynamic)
    return llvm::Error::success();
  llvm::Expected<elf::DynamicNames> names = elf::read_dynamic_names(*loader);
  if (!names)
    return names.takeError();
  out.soname = std::move(names->soname);
  out.needed = std::move(names->needed);
  out.rpath = std::move(names->rpath);
  out.runpath = std::move(names->runpath);
  out.has_runpath = names->has_runpath;
  return llvm::Error::success();
}

llvm::Error read_loader_view(llvm::MemoryBufferRef buffer, ElfFacts &out) {
  out.tail = buffer.getBuffer().take_back(sbcl::kTrailerBytes).str();
  return elf::with_elf_file(buffer.getBuffer(), [&](const auto &elf) { return read_loader_view(elf, out); });
}

// The versions a file defines and requires, from what the symbol reader
// parsed of .gnu.version_d and .gnu.version_r. (LLVM 14's
// getVersionDependencies copies the rest of the string table into every
// name: megabytes per name for a large library.)
void index_versions(const elf::SymbolVersions &versions, ElfFacts &out) {
  for (std::size_t i = 0; i < versions.names_.size(); ++i) {
    if (versions.names_[i].empty())
      continue;
    if (versions.defined_here_[i]) {
      out.has_version_definitions = true;
      out.version_definitions.push_back(versions.names_[i]);
      continue;
    }
    if (i >= versions.needed_from_.size() || versions.needed_from_[i].empty() || versions.weak_need_[i])
      continue;
    const std::string &file = versions.needed_from_[i];
    auto need = std::find_if(out.version_needs.begin(), out.version_needs.end(),
                             [&](const VersionNeed &n) { return n.file == file; });
    if (need == out.version_needs.end())
      need = out.version_needs.insert(out.version_needs.end(), VersionNeed{file, {}});
    need->versions.push_back(versions.names_[i]);
  }
}

// The hash of each version name a file uses, made once: the symbols of a
// file share a few dozen versions at most, and their names point into the
// file's one table of them (SymbolVersions), so a name is known by where it is.
class VersionHashes {
public:
  std::uint64_t of(llvm::StringRef version) {
    if (version.empty())
      return 0;
    for (const auto &[at, hash] : known_)
      if (at == version.data())
        return hash;
    known_.emplace_back(version.data(), hash_of(version));
    return known_.back().second;
  }

private:
  std::vector<std::pair<const char *, std::uint64_t>> known_;
};

// A defined symbol is exported under its unversioned or versioned key, and
// also under the default key when an unversioned reference may bind to it
// (see elf_facts.h).
bool has_default_key(const elf::Symbol &s) { return s.version.empty() || s.default_version; }

void index_symbols(const elf::ObjectSymbols &object, ElfFacts &out) {
  // Counted first, so the table and the imports are allocated once, at
  // their size: growing them touched fresh pages at every doubling.
  std::size_t export_count = 0, import_count = 0;
  for (const elf::Symbol &s : object.symbols) {
    if (s.local || (s.undefined && s.weak))
      continue;
    if (s.undefined)
      ++import_count;
    else
      export_count += has_default_key(s) ? 2 : 1;
  }
  std::vector<std::uint64_t> export_keys; // gathered, then inserted (KeySet::insert_all)
  export_keys.reserve(export_count);
  out.keys.imports.reserve(import_count);
  VersionHashes versions;
  for (std::size_t i = 0; i < object.symbols.size(); ++i) {
    elf::prefetch_name_ahead(object.symbols, i);
    const elf::Symbol &s = object.symbols[i];
    if (s.local || (s.undefined && s.weak))
      continue; // the loader leaves an unresolved weak reference at zero
    std::uint64_t name = hash_of(s.name);
    std::uint64_t version = versions.of(s.version);
    if (s.undefined) {
      Import import;
      import.symbol = s.index;
      if (s.version.empty()) {
        import.key = key_of(name, kDefault, 0);
      } else {
        import.key = key_of(name, kVersioned, version);
        import.fallback = key_of(name, kUnversioned, 0);
      }
      out.keys.imports.push_back(import);
    } else {
      export_keys.push_back(s.version.empty() ? key_of(name, kUnversioned, 0) : key_of(name, kVersioned, version));
      if (has_default_key(s))
        export_keys.push_back(key_of(name, kDefault, 0));
    }
  }
  KeySet exports(export_count);
  exports.insert_all(export_keys);
  out.keys.exports = std::move(exports);
}

CensusFacts census_of(const cxxabi::FileVerdict &verdict) {
  CensusFacts out;
  out.verdict = verdict.verdict;
  out.flags = verdict.flags;
  for (std::uint8_t bit : {cxxabi::kOldAbi, cxxabi::kNewAbi, cxxabi::kLibcxx}) {
    auto has = [&](const char *scope) {
      auto it = verdict.counts.find(std::string(scope) + "/" + cxxabi::family_string(bit));
      return it != verdict.counts.end() && it->second;
    };
    if (has("interface"))
      out.interface_families |= bit;
    if (has("interface") || has("std-instance") || has("undefined"))
      out.used_families |= bit;
  }
  return out;
}

} // namespace

std::uint64_t versioned_key(std::string_view name, std::string_view version) {
  return key_of(hash_of(name), kVersioned, hash_of(version));
}
std::uint64_t unversioned_key(std::string_view name) { return key_of(hash_of(name), kUnversioned, 0); }
std::uint64_t default_key(std::string_view name) { return key_of(hash_of(name), kDefault, 0); }

namespace {
// Keys are already well mixed; the high half folded in guards the low bits.
std::uint64_t slot_of(std::uint64_t key) { return key ^ (key >> 32); }
} // namespace

KeySet::KeySet(std::size_t capacity) {
  if (capacity == 0)
    return;
  std::size_t slots = 1;
  while (slots * 3 < capacity * 4)
    slots *= 2;
  slots_.assign(slots, 0);
  mask_ = slots - 1;
}

// At most the capacity asked for: the table stays at most three quarters full.
void KeySet::insert(std::uint64_t key) {
  if (key == 0) {
    has_zero_ = true;
    return;
  }
  std::uint64_t i = slot_of(key) & mask_;
  while (slots_[i] != 0 && slots_[i] != key)
    i = (i + 1) & mask_;
  slots_[i] = key;
}

void KeySet::insert_all(const std::vector<std::uint64_t> &keys) {
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i + kAhead < keys.size())
      prefetch(keys[i + kAhead]);
    insert(keys[i]);
  }
}

void KeySet::prefetch(std::uint64_t key) const {
  if (!slots_.empty())
    __builtin_prefetch(&slots_[slot_of(key) & mask_]);
}

bool KeySet::contains(std::uint64_t key) const {
  if (key == 0)
    return has_zero_;
  if (slots_.empty())
    return false;
  for (std::uint64_t i = slot_of(key) & mask_;; i = (i + 1) & mask_) {
    if (slots_[i] == key)
      return true;
    if (slots_[i] == 0)
      return false;
  }
}

namespace {

// The facts of the one object of SYMBOLS, read from PATH or a buffer so named.
llvm::Expected<ElfFacts> facts_of(llvm::Expected<elf::SymbolFile> symbols, const std::string &path,
                                  bool census) {
  thread_local cxxabi::NameClassifier classifier;
  if (!symbols)
    return symbols.takeError();
  if (symbols->is_archive || symbols->objects.size() != 1)
    return make_error("not an ELF program or shared object");
  ElfFacts out;
  if (llvm::Error e = read_loader_view(symbols->buffers.front()->getMemBufferRef(), out))
    return e;
  index_symbols(symbols->objects.front(), out);
  if (out.dynamic)
    index_versions(symbols->objects.front().versions, out);
  if (census) {
    auto classified = cxxabi::classify_file(std::move(*symbols), classifier, cxxabi::Detail::Families);
    out.census = census_of(cxxabi::judge_file(path, classified));
  }
  return out;
}

} // namespace

llvm::Expected<ElfFacts> read_elf_facts(const std::string &path, bool census) {
  // Nothing of the file's bytes outlives facts_of, so a small file is copied
  // into this thread's buffer rather than mapped (fingerprint/mapped_file.h).
  thread_local std::vector<char> scratch;
  auto buffer = load_file(path, Reading::InParts, scratch);
  if (!buffer)
    return buffer.takeError();
  return facts_of(elf::read_symbol_buffer(std::move(*buffer), path), path, census);
}

llvm::Expected<ElfFacts> read_loader_facts(const std::string &path) {
  thread_local std::vector<char> scratch;
  auto buffer = load_file(path, Reading::InParts, scratch);
  if (!buffer)
    return buffer.takeError();
  ElfFacts out;
  if (llvm::Error e = read_loader_view((*buffer)->getMemBufferRef(), out))
    return e;
  out.tail.clear(); // an SBCL core's trailer: nothing the index asks
  return out;
}

llvm::Expected<ElfFacts> read_elf_facts(std::unique_ptr<llvm::MemoryBuffer> buffer, bool census) {
  std::string name = buffer->getBufferIdentifier().str();
  return facts_of(elf::read_symbol_buffer(std::move(buffer), name), name, census);
}

llvm::Expected<DynamicSymbols> read_dynamic_symbols(const std::string &path) {
  auto symbols = elf::read_symbol_file(path);
  if (!symbols)
    return symbols.takeError();
  if (symbols->is_archive || symbols->objects.size() != 1)
    return make_error("not an ELF program or shared object");
  return DynamicSymbols(std::move(*symbols));
}

namespace {
DynamicSymbol copy_of(const elf::Symbol &s) { return {s.name.str(), s.version.str(), s.undefined, s.weak, s.local}; }
} // namespace

DynamicSymbol DynamicSymbols::operator[](std::size_t i) const { return copy_of(all()[i]); }

llvm::Expected<std::vector<DynamicSymbol>> read_dynamic_symbols(const std::string &path,
                                                                const std::vector<std::size_t> &indexes) {
  auto symbols = elf::read_symbols_at(path, indexes);
  if (!symbols)
    return symbols.takeError();
  std::vector<DynamicSymbol> out;
  out.reserve(indexes.size());
  for (const elf::Symbol &s : symbols->objects.front().symbols)
    out.push_back(copy_of(s));
  return out;
}

} // namespace abitag::audit
