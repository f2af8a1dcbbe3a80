#include "elf/symbol_versions.h"

#include "fingerprint/errors.h"

namespace abitag::elf {

using namespace llvm::object;

namespace {

constexpr std::uint16_t kVersionIndexMask = 0x7fff; // VERSYM_VERSION
constexpr std::uint16_t kHiddenBit = 0x8000;        // VERSYM_HIDDEN

// Reads a T at OFFSET of SECTION, or fails when it would run past its end.
template <class T>
llvm::Expected<const T *> record_at(llvm::ArrayRef<uint8_t> section, uint64_t offset) {
  if (offset > section.size() || section.size() - offset < sizeof(T))
    return make_error("version section entry runs past the section's end");
  return reinterpret_cast<const T *>(section.data() + offset);
}

llvm::StringRef string_at(llvm::StringRef table, uint64_t offset) {
  if (offset >= table.size())
    return {};
  llvm::StringRef rest = table.drop_front(offset);
  return rest.take_until([](char c) { return c == '\0'; });
}

// Walks a chain of records linked by relative "next" offsets. The count
// comes from sh_info, and is capped by what could fit in the section, so a
// crafted chain cannot loop for ever.
template <class ELFT> class VersionReader {
public:
  using Shdr = typename ELFT::Shdr;

  VersionReader(const ELFFile<ELFT> &elf, SymbolVersions &out) : elf_(elf), out_(out) {}

  llvm::Error definitions(const Shdr &section) {
    auto data = elf_.getSectionContents(section);
    auto table = strings_for(section);
    if (!data || !table)
      return join(data.takeError(), table.takeError());
    uint64_t offset = 0;
    uint64_t limit = std::min<uint64_t>(section.sh_info, data->size() / sizeof(typename ELFT::Verdef));
    for (uint64_t i = 0; i < limit; ++i) {
      auto def = record_at<typename ELFT::Verdef>(*data, offset);
      if (!def)
        return def.takeError();
      auto aux = record_at<typename ELFT::Verdaux>(*data, offset + (*def)->vd_aux);
      if (!aux)
        return aux.takeError();
      if (!((*def)->vd_flags & llvm::ELF::VER_FLG_BASE)) // the file's own name
        put((*def)->vd_ndx, string_at(*table, (*aux)->vda_name), true);
      if ((*def)->vd_next == 0)
        break;
      offset += (*def)->vd_next;
    }
    return llvm::Error::success();
  }

  llvm::Error needs(const Shdr &section) {
    auto data = elf_.getSectionContents(section);
    auto table = strings_for(section);
    if (!data || !table)
      return join(data.takeError(), table.takeError());
    uint64_t offset = 0;
    uint64_t limit = std::min<uint64_t>(section.sh_info, data->size() / sizeof(typename ELFT::Verneed));
    for (uint64_t i = 0; i < limit; ++i) {
      auto need = record_at<typename ELFT::Verneed>(*data, offset);
      if (!need)
        return need.takeError();
      uint64_t aux_offset = offset + (*need)->vn_aux;
      uint64_t aux_limit = std::min<uint64_t>((*need)->vn_cnt, data->size() / sizeof(typename ELFT::Vernaux));
      for (uint64_t j = 0; j < aux_limit; ++j) {
        auto aux = record_at<typename ELFT::Vernaux>(*data, aux_offset);
        if (!aux)
          return aux.takeError();
        put((*aux)->vna_other, string_at(*table, (*aux)->vna_name), false);
        std::size_t index = (*aux)->vna_other & kVersionIndexMask;
        out_.needed_from_.resize(out_.names_.size());
        out_.weak_need_.resize(out_.names_.size());
        out_.needed_from_[index] = string_at(*table, (*need)->vn_file).str();
        out_.weak_need_[index] = (*aux)->vna_flags & llvm::ELF::VER_FLG_WEAK;
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
  llvm::Expected<llvm::StringRef> strings_for(const Shdr &section) {
    auto strings = elf_.getSection(section.sh_link);
    if (!strings)
      return strings.takeError();
    return elf_.getStringTable(**strings);
  }

  static llvm::Error join(llvm::Error a, llvm::Error b) {
    return llvm::joinErrors(std::move(a), std::move(b));
  }

  void put(unsigned index, llvm::StringRef name, bool defined) {
    index &= kVersionIndexMask;
    if (index >= out_.names_.size()) {
      out_.names_.resize(index + 1);
      out_.defined_here_.resize(index + 1);
    }
    out_.names_[index] = name.str();
    out_.defined_here_[index] = defined;
  }

  const ELFFile<ELFT> &elf_;
  SymbolVersions &out_;
};

template <class ELFT>
llvm::Expected<SymbolVersions> read_versions(const ELFFile<ELFT> &elf) {
  SymbolVersions out;
  auto sections = elf.sections();
  if (!sections)
    return sections.takeError();
  const typename ELFT::Shdr *versym = nullptr, *verdef = nullptr, *verneed = nullptr;
  for (const typename ELFT::Shdr &section : *sections) {
    if (section.sh_type == llvm::ELF::SHT_GNU_versym)
      versym = &section;
    else if (section.sh_type == llvm::ELF::SHT_GNU_verdef)
      verdef = &section;
    else if (section.sh_type == llvm::ELF::SHT_GNU_verneed)
      verneed = &section;
  }
  if (!versym)
    return out;
  auto entries = elf.template getSectionContentsAsArray<typename ELFT::Versym>(*versym);
  if (!entries)
    return entries.takeError();
  out.versym_.reserve(entries->size());
  for (const auto &entry : *entries)
    out.versym_.push_back(entry.vs_index);
  VersionReader<ELFT> reader(elf, out);
  if (verdef)
    if (llvm::Error e = reader.definitions(*verdef))
      return e;
  if (verneed)
    if (llvm::Error e = reader.needs(*verneed))
      return e;
  return out;
}

} // namespace

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

llvm::Expected<SymbolVersions> read_symbol_versions(const ELFFile<ELF32LE> &elf) {
  return read_versions(elf);
}
llvm::Expected<SymbolVersions> read_symbol_versions(const ELFFile<ELF32BE> &elf) {
  return read_versions(elf);
}
llvm::Expected<SymbolVersions> read_symbol_versions(const ELFFile<ELF64LE> &elf) {
  return read_versions(elf);
}
llvm::Expected<SymbolVersions> read_symbol_versions(const ELFFile<ELF64BE> &elf) {
  return read_versions(elf);
}

} // namespace abitag::elf
