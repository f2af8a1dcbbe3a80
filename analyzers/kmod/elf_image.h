// The parts of a module's ELF image the kmod analyzer reads: its sections
// by name and its symbol table, through LLVM's libObject. Kept to these few
// functions so that the shared ELF reader abitag's other analyzers use can
// take their place.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>

namespace abitag::kmod {

struct ElfSection {
  std::string_view name;
  std::uint32_t type = 0;
  std::uint64_t flags = 0;
  std::uint64_t size = 0;     // sh_size, also of a SHT_NOBITS section
  std::string_view contents;  // empty for SHT_NOBITS
};

inline constexpr std::uint16_t kSectionAbsolute = 0xfff1; // SHN_ABS
inline constexpr std::uint16_t kSectionUndefined = 0;     // SHN_UNDEF

struct ElfSymbol {
  std::string_view name;
  std::uint64_t value = 0;
  std::uint16_t section = 0; // st_shndx
  bool weak = false;
};

// Views into the bytes given to read_elf_image, which must outlive it.
struct ElfImage {
  bool little_endian = true;
  bool is_64 = true;
  std::uint16_t type = 0; // e_type
  std::uint16_t machine = 0;
  std::vector<ElfSection> sections; // by index; 0 is the null section
  std::vector<ElfSymbol> symbols;   // .symtab, without the null symbol 0
};

llvm::Expected<ElfImage> read_elf_image(std::string_view bytes);

// The section named NAME that the kernel would look at: its find_sec takes
// the first one with SHF_ALLOC set.
const ElfSection *find_allocated_section(const ElfImage &image, std::string_view name);
// The first section named NAME, allocated or not.
const ElfSection *find_any_section(const ElfImage &image, std::string_view name);

// Unsigned integers of the image's byte order at OFFSET of BYTES (4 or 8
// bytes); the caller has checked the bounds.
std::uint32_t read_u32(const ElfImage &image, std::string_view bytes, std::size_t offset);
std::uint64_t read_u64(const ElfImage &image, std::string_view bytes, std::size_t offset);

} // namespace abitag::kmod
