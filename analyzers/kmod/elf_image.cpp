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
    ElfSection out{view(*name), section.sh_type, section.sh_flags, section.sh_size, {}};
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

std::uint32_t read_u32(const ElfImage &image, std::string_view bytes, std::size_t offset) {
  const char *at = bytes.data() + offset;
  return image.little_endian ? llvm::support::endian::read32le(at) : llvm::support::endian::read32be(at);
}

std::uint64_t read_u64(const ElfImage &image, std::string_view bytes, std::size_t offset) {
  const char *at = bytes.data() + offset;
  return image.little_endian ? llvm::support::endian::read64le(at) : llvm::support::endian::read64be(at);
}

} // namespace abitag::kmod
