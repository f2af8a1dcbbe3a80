// SPDX-License-Identifier: MIT
#include "elf/symbol_versions.h"

#include <llvm/Object/ELFTypes.h>
#include <llvm/Support/Endian.h>

#include "fingerprint/errors.h"

namespace abitag::elf {

using namespace llvm::object;

namespace {

constexpr std::uint16_t kVersionIndexMask = 0x7fff; // VERSYM_VERSION
constexpr std::uint16_t kHiddenBit = 0x8000;        // VERSYM_HIDDEN

// Reads a T at OFFSET of TABLE, or fails when it would run past its end.
template <class T>
llvm::Expected<const T *> record_at(llvm::ArrayRef<uint8_t> table, uint64_t offset) {
  if (offset > table.size() || table.size() - offset < sizeof(T))
    return make_error("version table entry runs past the table's end");
  return reinterpret_cast<const T *>(table.data() + offset);
}

llvm::StringRef string_at(llvm::StringRef table, uint64_t offset) {
  if (offset >= table.size())
    return {};
  llvm::StringRef rest = table.drop_front(offset);
  return rest.take_until([](char c) { return c == '\0'; });
}

// Walks a chain of records linked by relative "next" offsets. The count
// comes from sh_info or DT_VER*NUM; a count of more records than fit in the
// table, or a record past its end, is an error: versions silently left out
// would turn into symbols without versions.
template <class Record>
llvm::Error check_count(uint64_t count, llvm::ArrayRef<uint8_t> table, const char *what) {
  if (count > table.size() / sizeof(Record))
    return make_error(std::string("the ") + what + " count " + std::to_string(count) +
                      " records, more than their table of " + std::to_string(table.size()) + " bytes holds");
  return llvm::Error::success();
}

template <class ELFT> class VersionReader {
public:
  explicit VersionReader(SymbolVersions &out) : out_(out) {}

  llvm::Error definitions(llvm::ArrayRef<uint8_t> data, uint64_t count, llvm::StringRef table) {
    uint64_t offset = 0;
    if (llvm::Error e = check_count<typename ELFT::Verdef>(count, data, "version definitions"))
      return e;
    for (uint64_t i = 0; i < count; ++i) {
      auto def = record_at<typename ELFT::Verdef>(data, offset);
      if (!def)
        return def.takeError();
      auto aux = record_at<typename ELFT::Verdaux>(data, offset + (*def)->vd_aux);
      if (!aux)
        return aux.takeError();
      if (!((*def)->vd_flags & llvm::ELF::VER_FLG_BASE)) { // the file's own name
        put((*def)->vd_ndx, string_at(table, (*aux)->vda_name), true);
        out_.definition_order_.push_back((*def)->vd_ndx & kVersionIndexMask);
      }
      if ((*def)->vd_next == 0)
        break;
      offset += (*def)->vd_next;
    }
    return llvm::Error::success();
  }

  llvm::Error needs(llvm::ArrayRef<uint8_t> data, uint64_t count, llvm::StringRef table) {
    uint64_t offset = 0;
    if (llvm::Error e = check_count<typename ELFT::Verneed>(count, data, "version needs"))
      return e;
    for (uint64_t i = 0; i < count; ++i) {
      auto need = record_at<typename ELFT::Verneed>(data, offset);
      if (!need)
        return need.takeError();
      uint64_t aux_offset = offset + (*need)->vn_aux;
      if (llvm::Error e = check_count<typename ELFT::Vernaux>((*need)->vn_cnt, data, "versions needed from a file"))
        return e;
      for (uint64_t j = 0; j < (*need)->vn_cnt; ++j) {
        auto aux = record_at<typename ELFT::Vernaux>(data, aux_offset);
        if (!aux)
          return aux.takeError();
        put((*aux)->vna_other, string_at(table, (*aux)->vna_name), false);
        std::size_t index = (*aux)->vna_other & kVersionIndexMask;
        out_.needed_from_.resize(out_.names_.size());
        out_.weak_need_.resize(out_.names_.size());
        out_.needed_from_[index] = string_at(table, (*need)->vn_file).str();
        out_.weak_need_[index] = (*aux)->vna_flags & llvm::ELF::VER_FLG_WEAK;
        out_.need_order_.push_back(static_cast<std::uint16_t>(index));
        if ((*aux)->vna_next == 0)
          break;
        aux_offset += (*aux)->vna_next;
      }
      if ((*need)->vn_next == 0)
        break;
      offset += (*need)->vn_next;
    }
    return llvm::Error::success();
  }

private:
  void put(unsigned index, llvm::StringRef name, bool defined) {
    index &= kVersionIndexMask;
    if (index >= out_.names_.size()) {
      out_.names_.resize(index + 1);
      out_.defined_here_.resize(index + 1);
    }
    out_.names_[index] = name.str();
    out_.defined_here_[index] = defined;
  }

  SymbolVersions &out_;
};

} // namespace

template <class ELFT> llvm::Expected<SymbolVersions> read_symbol_versions(const VersionTables &tables) {
  SymbolVersions out;
  if (tables.versym.empty())
    return out;
  if (tables.versym.size() % 2)
    return make_error("the symbol version table's size (" + std::to_string(tables.versym.size()) +
                      " bytes) is not a whole number of entries");
  out.versym_.reserve(tables.versym.size() / 2);
  for (std::size_t at = 0; at < tables.versym.size(); at += 2)
    out.versym_.push_back(
        llvm::support::endian::read16<ELFT::TargetEndianness>(tables.versym.data() + at));
  VersionReader<ELFT> reader(out);
  if (llvm::Error e = reader.definitions(tables.definitions, tables.definition_count, tables.definition_strings))
    return e;
  if (llvm::Error e = reader.needs(tables.needs, tables.need_count, tables.need_strings))
    return e;
  return out;
}

template llvm::Expected<SymbolVersions> read_symbol_versions<ELF32LE>(const VersionTables &);
template llvm::Expected<SymbolVersions> read_symbol_versions<ELF32BE>(const VersionTables &);
template llvm::Expected<SymbolVersions> read_symbol_versions<ELF64LE>(const VersionTables &);
template llvm::Expected<SymbolVersions> read_symbol_versions<ELF64BE>(const VersionTables &);

llvm::StringRef SymbolVersions::name(std::size_t index) const {
  if (index >= versym_.size())
    return {};
  std::size_t version = versym_[index] & kVersionIndexMask;
  // 0 is "local" and 1 "global": unversioned.
  return version >= 2 && version < names_.size() ? llvm::StringRef(names_[version]) : llvm::StringRef();
}

bool SymbolVersions::is_default(std::size_t index, bool undefined) const {
  if (undefined || index >= versym_.size())
    return false;
  std::size_t version = versym_[index] & kVersionIndexMask;
  return !(versym_[index] & kHiddenBit) && version < defined_here_.size() && defined_here_[version];
}

} // namespace abitag::elf
