// SPDX-License-Identifier: MIT
#include "elf/dynamic_segment.h"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Support/Endian.h>

#include "fingerprint/errors.h"

namespace abitag::elf {

using llvm::Expected;
using namespace llvm::object;

namespace {

std::string hex(std::uint64_t value) { return "0x" + llvm::utohexstr(value); }

bool inside_file(const Segment &s, std::uint64_t file_size) {
  return s.offset <= file_size && s.file_size <= file_size - s.offset;
}

template <class ELFT> std::uint64_t word_at(llvm::ArrayRef<std::uint8_t> bytes, std::uint64_t at, unsigned size) {
  using namespace llvm::support;
  return size == 8 ? endian::read<std::uint64_t, ELFT::TargetEndianness, unaligned>(bytes.data() + at)
                   : endian::read<std::uint32_t, ELFT::TargetEndianness, unaligned>(bytes.data() + at);
}

// The number of dynamic symbols by the GNU hash table: every symbol from
// symndx on is hashed, in bucket order, so the chain of the highest bucket
// ends at the last symbol. When no symbol is hashed (a program that only
// imports), symndx is only a lower bound: GNU ld then writes 1. (LLVM 14's
// getDynSymtabSizeFromGnuHash takes symndx then, and reads the buckets
// without checking that they lie in the file.)
template <class ELFT> Expected<SymbolCount> count_by_gnu_hash(const LoaderView &view, std::uint64_t address) {
  auto table = view.bytes_from(address, "the GNU hash table (DT_GNU_HASH)");
  if (!table)
    return table.takeError();
  auto cut = [&] { return make_error("the GNU hash table (DT_GNU_HASH) runs past the end of its PT_LOAD segment"); };
  if (table->size() < 16)
    return cut();
  std::uint64_t buckets = word_at<ELFT>(*table, 0, 4), first_hashed = word_at<ELFT>(*table, 4, 4);
  std::uint64_t bloom_words = word_at<ELFT>(*table, 8, 4);
  std::uint64_t bucket_start = 16 + bloom_words * sizeof(typename ELFT::uint);
  std::uint64_t chain_start = bucket_start + buckets * 4;
  if (chain_start > table->size())
    return cut();
  std::uint64_t last_bucket = 0;
  for (std::uint64_t i = 0; i < buckets; ++i)
    last_bucket = std::max(last_bucket, word_at<ELFT>(*table, bucket_start + 4 * i, 4));
  if (last_bucket == 0)
    return SymbolCount{first_hashed, false};
  if (last_bucket < first_hashed)
    return make_error("the GNU hash table (DT_GNU_HASH) starts a chain at symbol " + std::to_string(last_bucket) +
                      ", before its first hashed symbol " + std::to_string(first_hashed));
  std::uint64_t at = chain_start + 4 * (last_bucket - first_hashed);
  for (; at + 4 <= table->size(); at += 4, ++last_bucket)
    if (word_at<ELFT>(*table, at, 4) & 1) // the chain's last entry
      return SymbolCount{last_bucket + 1, true};
  return cut();
}

// The number of dynamic symbols by the SysV hash table: nchain. Its entries
// are 64-bit on 64-bit s390 and Alpha, 32-bit elsewhere.
template <class ELFT>
Expected<std::uint64_t> count_by_sysv_hash(const LoaderView &view, std::uint64_t address, std::uint16_t machine) {
  unsigned entry = ELFT::Is64Bits && (machine == llvm::ELF::EM_S390 || machine == 0x9026 /*EM_ALPHA*/) ? 8 : 4;
  auto head = view.bytes_at(address, 2 * entry, "the hash table (DT_HASH)");
  if (!head)
    return head.takeError();
  std::uint64_t buckets = word_at<ELFT>(*head, 0, entry), chains = word_at<ELFT>(*head, entry, entry);
  // The whole table must be there: its buckets, then one chain entry per symbol.
  if (auto whole = view.bytes_at(address, (2 + buckets + chains) * entry, "the hash table (DT_HASH)"); !whole)
    return whole.takeError();
  return chains;
}

// DT_VERSYM, DT_VERDEF and DT_VERNEED, for COUNT symbols.
llvm::Error read_version_tables(const LoaderView &view, std::uint64_t count, llvm::StringRef strings,
                                VersionTables &out) {
  if (std::optional<std::uint64_t> versym = view.value(llvm::ELF::DT_VERSYM)) {
    auto bytes = view.bytes_at(*versym, count * 2, "the symbol version table (DT_VERSYM)");
    if (!bytes)
      return bytes.takeError();
    out.versym = *bytes;
  }
  struct Table {
    std::int64_t tag, count_tag;
    const char *what;
    llvm::ArrayRef<std::uint8_t> &bytes;
    std::uint64_t &count;
    llvm::StringRef &strings;
  };
  for (const Table &t : {Table{llvm::ELF::DT_VERDEF, llvm::ELF::DT_VERDEFNUM, "version definitions (DT_VERDEF)",
                               out.definitions, out.definition_count, out.definition_strings},
                         Table{llvm::ELF::DT_VERNEED, llvm::ELF::DT_VERNEEDNUM, "version needs (DT_VERNEED)",
                               out.needs, out.need_count, out.need_strings}}) {
    std::optional<std::uint64_t> address = view.value(t.tag), number = view.value(t.count_tag);
    if (!address)
      continue;
    if (!number)
      return make_error(std::string("the dynamic segment has ") + t.what + " without their count");
    auto bytes = view.bytes_from(*address, t.what);
    if (!bytes)
      return bytes.takeError();
    t.bytes = *bytes;
    t.count = *number;
    t.strings = strings;
  }
  return llvm::Error::success();
}

} // namespace

std::optional<std::uint64_t> LoaderView::value(std::int64_t tag) const {
  for (const DynamicEntry &entry : entries)
    if (entry.tag == tag)
      return entry.value;
  return std::nullopt;
}

const Segment *LoaderView::load_of(std::uint64_t address) const {
  for (const Segment &load : loads)
    if (address >= load.address && address - load.address < load.memory_size)
      return &load;
  return nullptr;
}

std::optional<std::uint64_t> LoaderView::offset_of(std::uint64_t address) const {
  for (const Segment &load : loads)
    if (address >= load.address && address - load.address < load.file_size)
      return load.offset + (address - load.address);
  return std::nullopt;
}

Expected<llvm::ArrayRef<std::uint8_t>> LoaderView::bytes_from(std::uint64_t address, llvm::StringRef what) const {
  for (const Segment &load : loads)
    if (address >= load.address && address - load.address < load.file_size) {
      std::uint64_t inside = address - load.address;
      return file.slice(load.offset + inside, load.file_size - inside);
    }
  return make_error(what.str() + " at address " + hex(address) + " is not in the file bytes of any PT_LOAD segment");
}

Expected<llvm::ArrayRef<std::uint8_t>> LoaderView::bytes_at(std::uint64_t address, std::uint64_t size,
                                                            llvm::StringRef what) const {
  if (size == 0)
    return llvm::ArrayRef<std::uint8_t>();
  Expected<llvm::ArrayRef<std::uint8_t>> rest = bytes_from(address, what);
  if (!rest)
    return rest.takeError();
  if (size > rest->size())
    return make_error(what.str() + " (" + std::to_string(size) + " bytes at address " + hex(address) +
                      ") runs past the end of its PT_LOAD segment");
  return rest->take_front(size);
}

template <class ELFT> Expected<SymbolCount> count_dynamic_symbols(const LoaderView &view, std::uint16_t machine) {
  std::optional<std::uint64_t> gnu = view.value(llvm::ELF::DT_GNU_HASH), sysv = view.value(llvm::ELF::DT_HASH);
  if (!gnu && !sysv)
    return make_error("the dynamic segment has no hash table (DT_GNU_HASH or DT_HASH) to count its symbols by");
  std::optional<SymbolCount> by_gnu, by_sysv;
  if (gnu) {
    Expected<SymbolCount> count = count_by_gnu_hash<ELFT>(view, *gnu);
    if (!count)
      return count.takeError();
    by_gnu = *count;
  }
  if (sysv) {
    Expected<std::uint64_t> count = count_by_sysv_hash<ELFT>(view, *sysv, machine);
    if (!count)
      return count.takeError();
    by_sysv = SymbolCount{*count, true};
  }
  if (by_gnu && by_sysv && !by_gnu->admits(by_sysv->count))
    return make_error("the hash tables disagree on the number of dynamic symbols: " +
                      std::string(by_gnu->exact ? "" : "at least ") + std::to_string(by_gnu->count) +
                      " by DT_GNU_HASH, " + std::to_string(by_sysv->count) + " by DT_HASH");
  return by_sysv ? *by_sysv : *by_gnu;
}

template <class ELFT> Expected<LoaderView> read_loader_view(const ELFFile<ELFT> &elf) {
  LoaderView view;
  view.file = llvm::ArrayRef<std::uint8_t>(elf.base(), elf.getBufSize());
  auto headers = elf.program_headers();
  if (!headers)
    return headers.takeError();
  for (const typename ELFT::Phdr &header : *headers) {
    Segment s{header.p_vaddr, header.p_offset, header.p_filesz, header.p_memsz, header.p_flags};
    if (header.p_type == llvm::ELF::PT_LOAD) {
      if (!inside_file(s, view.file.size()))
        return make_error("a PT_LOAD segment (" + std::to_string(s.file_size) + " bytes at offset " +
                          hex(s.offset) + ") runs past the end of the file");
      if (s.file_size > s.memory_size)
        return make_error("a PT_LOAD segment at offset " + hex(s.offset) + " holds more file bytes than memory");
      view.loads.push_back(s);
    } else if (header.p_type == llvm::ELF::PT_TLS && !view.tls) {
      view.tls = s;
    } else if (header.p_type == llvm::ELF::PT_DYNAMIC && !view.dynamic) {
      if (!inside_file(s, view.file.size()))
        return make_error("PT_DYNAMIC runs past the end of the file");
      view.dynamic = s;
    }
  }
  if (!view.dynamic)
    return view;
  // The loader reads the entries in memory, at the segment's address.
  auto bytes = view.bytes_at(view.dynamic->address, view.dynamic->file_size, "the dynamic segment (PT_DYNAMIC)");
  if (!bytes)
    return bytes.takeError();
  if (bytes->data() != view.file.data() + view.dynamic->offset)
    return make_error("the dynamic segment's address " + hex(view.dynamic->address) +
                      " is not where its PT_LOAD segment puts its file offset " + hex(view.dynamic->offset));
  using Dyn = typename ELFT::Dyn;
  llvm::ArrayRef<Dyn> entries(reinterpret_cast<const Dyn *>(bytes->data()), bytes->size() / sizeof(Dyn));
  for (const Dyn &entry : entries) {
    if (entry.d_tag == llvm::ELF::DT_NULL)
      return view;
    view.entries.push_back({static_cast<std::int64_t>(entry.d_tag), entry.d_un.d_val});
  }
  return make_error("the dynamic segment has no DT_NULL entry to end it");
}

template <class ELFT>
Expected<DynamicSymbolTable<ELFT>> read_dynamic_symbol_table(const LoaderView &view, std::uint64_t count) {
  using Sym = typename ELFT::Sym;
  DynamicSymbolTable<ELFT> out;
  std::optional<std::uint64_t> symtab = view.value(llvm::ELF::DT_SYMTAB), strtab = view.value(llvm::ELF::DT_STRTAB),
                               strsz = view.value(llvm::ELF::DT_STRSZ), syment = view.value(llvm::ELF::DT_SYMENT);
  if (!symtab || !strtab || !strsz)
    return make_error(std::string("the dynamic segment has no ") +
                      (!symtab ? "DT_SYMTAB" : !strtab ? "DT_STRTAB" : "DT_STRSZ"));
  if (syment && *syment != sizeof(Sym))
    return make_error("DT_SYMENT is " + std::to_string(*syment) + ", not the " + std::to_string(sizeof(Sym)) +
                      " bytes of a symbol");
  if (count > view.file.size() / sizeof(Sym))
    return make_error("the hash table counts " + std::to_string(count) + " dynamic symbols, more than the file holds");
  auto symbols = view.bytes_at(*symtab, count * sizeof(Sym), "the dynamic symbol table (DT_SYMTAB)");
  if (!symbols)
    return symbols.takeError();
  auto strings = view.bytes_at(*strtab, *strsz, "the dynamic string table (DT_STRTAB, DT_STRSZ)");
  if (!strings)
    return strings.takeError();
  out.symbols = llvm::ArrayRef<Sym>(reinterpret_cast<const Sym *>(symbols->data()), count);
  out.strings = llvm::toStringRef(*strings);
  if (llvm::Error e = read_version_tables(view, count, out.strings, out.versions))
    return e;
  return out;
}

template Expected<LoaderView> read_loader_view(const ELFFile<ELF32LE> &);
template Expected<LoaderView> read_loader_view(const ELFFile<ELF32BE> &);
template Expected<LoaderView> read_loader_view(const ELFFile<ELF64LE> &);
template Expected<LoaderView> read_loader_view(const ELFFile<ELF64BE> &);
template Expected<DynamicSymbolTable<ELF32LE>> read_dynamic_symbol_table<ELF32LE>(const LoaderView &, std::uint64_t);
template Expected<DynamicSymbolTable<ELF32BE>> read_dynamic_symbol_table<ELF32BE>(const LoaderView &, std::uint64_t);
template Expected<DynamicSymbolTable<ELF64LE>> read_dynamic_symbol_table<ELF64LE>(const LoaderView &, std::uint64_t);
template Expected<DynamicSymbolTable<ELF64BE>> read_dynamic_symbol_table<ELF64BE>(const LoaderView &, std::uint64_t);
template Expected<SymbolCount> count_dynamic_symbols<ELF32LE>(const LoaderView &, std::uint16_t);
template Expected<SymbolCount> count_dynamic_symbols<ELF32BE>(const LoaderView &, std::uint16_t);
template Expected<SymbolCount> count_dynamic_symbols<ELF64LE>(const LoaderView &, std::uint16_t);
template Expected<SymbolCount> count_dynamic_symbols<ELF64BE>(const LoaderView &, std::uint16_t);

} // namespace abitag::elf
