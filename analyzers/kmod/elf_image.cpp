// SPDX-License-Identifier: MIT
#include "analyzers/kmod/elf_image.h"

#include <llvm/Object/ELF.h>
#include <llvm/Support/Endian.h>

#include "fingerprint/errors.h"

namespace abitag::kmod {
namespace {

std::string_view view(llvm::StringRef text) { return {text.data(), text.size()}; }

template <class ELFT>
llvm::Error read_symbols(const llvm::object::ELFFile<ELFT> &file, const typename ELFT::Shdr &symtab,
                         ElfImage &image) {
  llvm::Expected<typename ELFT::SymRange> symbols = file.symbols(&symtab);
  if (!symbols)
    return symbols.takeError();
  llvm::Expected<llvm::StringRef> strings = file.getStringTableForSymtab(symtab);
  if (!strings)
    return strings.takeError();
  bool first = true;
  for (const typename ELFT::Sym &symbol : *symbols) {
    if (std::exchange(first, false))
      continue; // the null symbol
    llvm::Expected<llvm::StringRef> name = symbol.getName(*strings);
    if (!name)
      return name.takeError();
    image.symbols.push_back({view(*name), symbol.st_value, symbol.st_shndx,
                             symbol.getBinding() == llvm::ELF::STB_WEAK});
  }
  return llvm::Error::success();
}

bool wanted_target(std::string_view name) { return name.substr(0, 9) == "__ksymtab"; }

// The relocations of SECTION (SHT_REL or SHT_RELA) when the section they
// patch is one the readers want.
template <class ELFT>
llvm::Error read_relocations(const llvm::object::ELFFile<ELFT> &file, const typename ELFT::Shdr &section,
                             ElfImage &image) {
  std::uint32_t target = section.sh_info;
  if (target == 0 || target >= image.sections.size() || !wanted_target(image.sections[target].name))
    return llvm::Error::success();
  auto add = [&](std::uint64_t offset, std::uint32_t symbol, std::int64_t addend) {
    image.relocations.push_back({target, offset, symbol, addend});
  };
  bool mips64el = image.machine == llvm::ELF::EM_MIPS && ELFT::Is64Bits && image.little_endian; // its r_info differs
  if (section.sh_type == llvm::ELF::SHT_RELA) {
    auto relocations = file.relas(section);
    if (!relocations)
      return relocations.takeError();
    for (const typename ELFT::Rela &r : *relocations)
      add(r.r_offset, r.getSymbol(mips64el), r.r_addend);
    return llvm::Error::success();
  }
  auto relocations = file.rels(section);
  if (!relocations)
    return relocations.takeError();
  std::string_view place = image.sections[target].contents;
  for (const typename ELFT::Rel &r : *relocations) // the addend is the 32-bit word at the place
    add(r.r_offset, r.getSymbol(mips64el),
        r.r_offset + 4 <= place.size() ? static_cast<std::int32_t>(read_u32(image, place, r.r_offset)) : 0);
  return llvm::Error::success();
}

template <class ELFT> llvm::Expected<ElfImage> read_image(std::string_view bytes) {
  llvm::Expected<llvm::object::ELFFile<ELFT>> file =
      llvm::object::ELFFile<ELFT>::create(llvm::StringRef(bytes.data(), bytes.size()));
  if (!file)
    return file.takeError();
  ElfImage image;
  image.little_endian = ELFT::TargetEndianness == llvm::support::little;
  image.is_64 = ELFT::Is64Bits;
  image.type = file->getHeader().e_type;
  image.machine = file->getHeader().e_machine;
  auto sections = file->sections();
  if (!sections)
    return sections.takeError();
  const typename ELFT::Shdr *symtab = nullptr;
  for (const typename ELFT::Shdr &section : *sections) {
    llvm::Expected<llvm::StringRef> name = file->getSectionName(section);
    if (!name)
      return name.takeError();
    ElfSection out{view(*name), section.sh_type, section.sh_flags, section.sh_addr, section.sh_size, {}};
    if (section.sh_type != llvm::ELF::SHT_NOBITS) {
      llvm::Expected<llvm::ArrayRef<std::uint8_t>> contents = file->getSectionContents(section);
      if (!contents)
        return contents.takeError();
      out.contents = {reinterpret_cast<const char *>(contents->data()), contents->size()};
    }
    if (section.sh_type == llvm::ELF::SHT_SYMTAB && !symtab)
      symtab = &section;
    image.sections.push_back(out);
  }
  if (symtab)
    if (llvm::Error e = read_symbols(*file, *symtab, image))
      return e;
  for (const typename ELFT::Shdr &section : *sections)
    if (section.sh_type == llvm::ELF::SHT_RELA || section.sh_type == llvm::ELF::SHT_REL)
      if (llvm::Error e = read_relocations(*file, section, image))
        return e;
  return image;
}

} // namespace

llvm::Expected<ElfImage> read_elf_image(std::string_view bytes) {
  if (bytes.size() < 16 || bytes.substr(0, 4) != "\x7f" "ELF")
    return make_error("not an ELF file");
  bool is_64 = bytes[4] == llvm::ELF::ELFCLASS64;
  bool little = bytes[5] == llvm::ELF::ELFDATA2LSB;
  if ((bytes[4] != llvm::ELF::ELFCLASS32 && !is_64) || (bytes[5] != llvm::ELF::ELFDATA2MSB && !little))
    return make_error("ELF file of unknown class or byte order");
  llvm::Expected<ElfImage> image = is_64 ? (little ? read_image<llvm::object::ELF64LE>(bytes)
                                                   : read_image<llvm::object::ELF64BE>(bytes))
                                         : (little ? read_image<llvm::object::ELF32LE>(bytes)
                                                   : read_image<llvm::object::ELF32BE>(bytes));
  if (!image)
    return make_error("malformed ELF file: " + to_message(image.takeError()));
  return image;
}

const ElfSection *find_allocated_section(const ElfImage &image, std::string_view name) {
  for (std::size_t i = 1; i < image.sections.size(); ++i)
    if ((image.sections[i].flags & llvm::ELF::SHF_ALLOC) && image.sections[i].name == name)
      return &image.sections[i];
  return nullptr;
}

const ElfSection *find_any_section(const ElfImage &image, std::string_view name) {
  for (std::size_t i = 1; i < image.sections.size(); ++i)
    if (image.sections[i].name == name)
      return &image.sections[i];
  return nullptr;
}

bool uses_place_relative_symbols(const ElfImage &image) {
  return image.is_64 && (image.machine == llvm::ELF::EM_X86_64 || image.machine == llvm::ELF::EM_AARCH64 ||
                         image.machine == llvm::ELF::EM_PPC64 || image.machine == llvm::ELF::EM_RISCV ||
                         image.machine == llvm::ELF::EM_S390);
}

std::uint64_t namespace_field(const ElfImage &image, std::uint64_t offset) {
  return offset + (uses_place_relative_symbols(image) ? 8 : 2 * (image.is_64 ? 8 : 4));
}

std::uint32_t read_u32(const ElfImage &image, std::string_view bytes, std::size_t offset) {
  const char *at = bytes.data() + offset;
  return image.little_endian ? llvm::support::endian::read32le(at) : llvm::support::endian::read32be(at);
}

std::uint64_t read_u64(const ElfImage &image, std::string_view bytes, std::size_t offset) {
  const char *at = bytes.data() + offset;
  return image.little_endian ? llvm::support::endian::read64le(at) : llvm::support::endian::read64be(at);
}

} // namespace abitag::kmod
