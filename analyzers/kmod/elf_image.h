// SPDX-License-Identifier: MIT
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
  std::uint64_t address = 0;  // sh_addr: where a linked image (vmlinux) has it in memory
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

// A relocation of one of the sections whose names start with "__ksymtab"
// (the only ones a reader here needs: the namespaces of a module's exports
// are filled in by them).
struct ElfRelocation {
  std::uint32_t target = 0;  // the section it patches
  std::uint64_t offset = 0;  // where in it
  std::uint32_t symbol = 0;  // the symbol table index (0: none)
  std::int64_t addend = 0;   // explicit (RELA), or read from the place (REL)
};

// Views into the bytes given to read_elf_image, which must outlive it.
struct ElfImage {
  bool little_endian = true;
  bool is_64 = true;
  std::uint16_t type = 0; // e_type
  std::uint16_t machine = 0;
  std::vector<ElfSection> sections; // by index; 0 is the null section
  std::vector<ElfSymbol> symbols;   // .symtab, without the null symbol 0
  std::vector<ElfRelocation> relocations;

  // Symbol number INDEX of .symtab (1 is the first after the null symbol).
  const ElfSymbol *symbol(std::uint32_t index) const {
    return index >= 1 && index <= symbols.size() ? &symbols[index - 1] : nullptr;
  }
};

llvm::Expected<ElfImage> read_elf_image(std::string_view bytes);

// The section named NAME that the kernel would look at: its find_sec takes
// the first one with SHF_ALLOC set.
const ElfSection *find_allocated_section(const ElfImage &image, std::string_view name);
// The first section named NAME, allocated or not.
const ElfSection *find_any_section(const ElfImage &image, std::string_view name);

// Whether the image's struct kernel_symbol holds 32-bit offsets relative to
// each field ({value, name, namespace}: 12 bytes) rather than pointers: the
// 64-bit architectures that select CONFIG_HAVE_ARCH_PREL32_RELOCATIONS
// (loongarch too, which LLVM 14 does not name).
bool uses_place_relative_symbols(const ElfImage &image);

// Where the namespace field of the kernel_symbol at OFFSET lies.
std::uint64_t namespace_field(const ElfImage &image, std::uint64_t offset);

// Unsigned integers of the image's byte order at OFFSET of BYTES (4 or 8
// bytes); the caller has checked the bounds.
std::uint32_t read_u32(const ElfImage &image, std::string_view bytes, std::size_t offset);
std::uint64_t read_u64(const ElfImage &image, std::string_view bytes, std::size_t offset);

} // namespace abitag::kmod
