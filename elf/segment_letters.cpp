// SPDX-License-Identifier: MIT
#include "elf/segment_letters.h"

#include <algorithm>

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELFTypes.h>

namespace abitag::elf {

namespace {

// Where an address lies in the load segments: in a segment's file bytes,
// its zero-fill, or exactly at the end of either (where the next section
// would start).
enum class Place { Outside, File, FileEnd, ZeroFill, MemoryEnd };

struct Where {
  const Segment *load = nullptr;
  Place place = Place::Outside;
};

// Where a symbol of SIZE bytes at VALUE lies. Only an empty one (a
// marker) can be at an end: the bytes of a copy-relocated variable at the
// end of the file bytes are the zero-fill's.
Where where_is(const LoaderView &loader, std::uint64_t value, std::uint64_t size) {
  for (const Segment &load : loader.loads) {
    if (value < load.address || value - load.address >= load.memory_size)
      continue;
    std::uint64_t inside = value - load.address;
    if (inside < load.file_size)
      return {&load, Place::File};
    return {&load, inside == load.file_size && size == 0 ? Place::FileEnd : Place::ZeroFill};
  }
  // Only a segment's very end is left: a marker such as _end.
  for (const Segment &load : loader.loads)
    if (size == 0 && value >= load.address && value - load.address == load.memory_size)
      return {&load, Place::MemoryEnd};
  return {};
}

char file_bytes_letter(const Segment &load, std::uint8_t type) {
  bool writable = load.flags & llvm::ELF::PF_W;
  // A data object in a segment that is executable but not writable is
  // read-only data of a file linked without separate code segments.
  if (load.flags & llvm::ELF::PF_X)
    return type == llvm::ELF::STT_OBJECT && !writable ? 'r' : 't';
  return writable ? 'd' : 'r';
}

bool has_zero_fill(const Segment &load) { return load.memory_size > load.file_size; }

} // namespace

char segment_letter(const LoaderView &loader, std::uint64_t value, std::uint64_t size, std::uint8_t type) {
  if (type == llvm::ELF::STT_TLS) // an offset into the TLS segment: .tdata, then .tbss
    return !loader.tls ? '?' : value < loader.tls->file_size ? 'd' : 'b';
  Where where = where_is(loader, value, size);
  switch (where.place) {
  case Place::Outside: return '?';
  case Place::File: return file_bytes_letter(*where.load, type);
  case Place::FileEnd: return 'd'; // the end of the data (_edata), more often than the start of .bss
  case Place::ZeroFill: return 'b';
  case Place::MemoryEnd: return has_zero_fill(*where.load) ? 'b' : file_bytes_letter(*where.load, type);
  }
  return '?';
}

template <class ELFT>
std::vector<char> section_letters_by_segment(const LoaderView &loader, llvm::ArrayRef<typename ELFT::Sym> symbols) {
  std::vector<char> letters;
  // A section of code may hold data objects too (GHC's info tables): one
  // symbol that is not an object makes it code.
  auto vote = [&](std::uint32_t section, char letter) {
    if (section >= letters.size())
      letters.resize(section + 1, '?');
    if (letters[section] == '?' || (letters[section] == 'r' && letter == 't'))
      letters[section] = letter;
  };
  struct AtFileEnd {
    std::uint64_t address;
    std::uint32_t section;
    const Segment *load;
  };
  std::vector<AtFileEnd> at_file_end;
  for (const typename ELFT::Sym &symbol : symbols) {
    std::uint32_t section = symbol.st_shndx;
    if (section == llvm::ELF::SHN_UNDEF || section >= llvm::ELF::SHN_LORESERVE ||
        symbol.getType() == llvm::ELF::STT_TLS)
      continue;
    Where where = where_is(loader, symbol.st_value, symbol.st_size);
    bool zero_fill = where.load && has_zero_fill(*where.load);
    if (where.place == Place::FileEnd && zero_fill)
      at_file_end.push_back({symbol.st_value, section, where.load});
    else if (where.place != Place::Outside && !(where.place == Place::MemoryEnd && zero_fill))
      vote(section, segment_letter(loader, symbol.st_value, symbol.st_size, symbol.getType()));
  }
  // Where the file bytes end and the zero-fill starts, the end of the data
  // (_edata) and the start of .bss (__bss_start) meet. GNU ld puts them in
  // .data and .bss: of two sections there, the later is .bss. gold puts
  // every marker (_end too) in the segment's first section: of one section
  // there, it is that one (.tbss when the TLS template starts the segment
  // and has no file bytes).
  std::sort(at_file_end.begin(), at_file_end.end(), [](const AtFileEnd &a, const AtFileEnd &b) {
    return a.address != b.address ? a.address < b.address : a.section < b.section;
  });
  for (std::size_t i = 0; i < at_file_end.size();) {
    std::size_t end = i;
    while (end < at_file_end.size() && at_file_end[end].address == at_file_end[i].address)
      ++end;
    std::uint32_t last = at_file_end[end - 1].section;
    bool two = at_file_end[i].section != last;
    const Segment &load = *at_file_end[i].load;
    bool tbss_first = loader.tls && loader.tls->address == load.address && loader.tls->file_size == 0;
    char first = tbss_first ? 'b' : file_bytes_letter(load, llvm::ELF::STT_NOTYPE);
    for (std::size_t j = i; j < end; ++j)
      vote(at_file_end[j].section, !two ? first : at_file_end[j].section == last ? 'b' : 'd');
    i = end;
  }
  return letters;
}

using namespace llvm::object;
template std::vector<char> section_letters_by_segment<ELF32LE>(const LoaderView &, llvm::ArrayRef<ELF32LE::Sym>);
template std::vector<char> section_letters_by_segment<ELF32BE>(const LoaderView &, llvm::ArrayRef<ELF32BE::Sym>);
template std::vector<char> section_letters_by_segment<ELF64LE>(const LoaderView &, llvm::ArrayRef<ELF64LE::Sym>);
template std::vector<char> section_letters_by_segment<ELF64BE>(const LoaderView &, llvm::ArrayRef<ELF64BE::Sym>);

} // namespace abitag::elf
