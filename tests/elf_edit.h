// SPDX-License-Identifier: MIT
// Damaging real ELF files and ar archives in tests, byte by byte: header
// fields of either class and byte order, section and program headers,
// dynamic entries, sstrip, and the member headers of an archive.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace abitag::test {

// Little-endian integers of SIZE bytes in BYTES at AT.
std::uint64_t get_le(const std::string &bytes, std::size_t at, int size);
void set_le(std::string &bytes, std::size_t at, std::uint64_t value, int size);

// A field: where it is and how many bytes it has.
struct Field {
  std::size_t at = 0;
  int size = 0;
};

class ElfEdit {
public:
  explicit ElfEdit(std::string bytes);

  std::uint64_t get(Field f) const;
  void set(Field f, std::uint64_t value);

  // ELF header fields.
  Field e_phoff() const, e_shoff() const, e_phnum() const, e_shnum() const, e_shstrndx() const;
  // Fields of section header INDEX and program header INDEX.
  Field sh_name(std::size_t i) const, sh_type(std::size_t i) const, sh_flags(std::size_t i) const,
      sh_addr(std::size_t i) const, sh_offset(std::size_t i) const, sh_size(std::size_t i) const;
  Field p_type(std::size_t i) const, p_offset(std::size_t i) const, p_filesz(std::size_t i) const,
      p_memsz(std::size_t i) const;

  // The first section of TYPE, or whose name starts with PREFIX.
  std::optional<std::size_t> section_of_type(std::uint32_t type) const;
  std::optional<std::size_t> section_named(const std::string &prefix) const;
  // The value of the first dynamic entry with TAG (through PT_DYNAMIC).
  std::optional<Field> dynamic_value(std::int64_t tag) const;
  // What sstrip leaves: no section header table (e_shoff, e_shnum and
  // e_shstrndx 0), and nothing after the end of the last PT_LOAD.
  std::string sstripped() const;

  std::string bytes;

private:
  Field word(std::size_t at32, std::size_t at64) const; // an address-sized field
  Field half(std::size_t at32, std::size_t at64) const;
  Field quarter(std::size_t at) const; // a 4-byte field at the same place in both classes
  std::size_t section_header(std::size_t i) const;
  std::size_t program_header(std::size_t i) const;

  bool wide_ = true;   // ELFCLASS64
  bool little_ = true; // ELFDATA2LSB
};

// The offset of each member header of the ar archive ARCHIVE, in order.
std::vector<std::size_t> ar_member_headers(const std::string &archive);

} // namespace abitag::test
