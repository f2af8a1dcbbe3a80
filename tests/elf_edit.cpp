// SPDX-License-Identifier: MIT
#include "tests/elf_edit.h"

#include <algorithm>
#include <stdexcept>

namespace abitag::test {

std::uint64_t get_le(const std::string &bytes, std::size_t at, int size) {
  std::uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i)
    value = value << 8 | static_cast<unsigned char>(bytes.at(at + i));
  return value;
}

void set_le(std::string &bytes, std::size_t at, std::uint64_t value, int size) {
  for (int i = 0; i < size; ++i)
    bytes.at(at + i) = static_cast<char>(value >> (8 * i) & 0xff);
}

ElfEdit::ElfEdit(std::string b) : bytes(std::move(b)) {
  if (bytes.size() < 64 || bytes.compare(0, 4, "\x7f" "ELF") != 0)
    throw std::runtime_error("not an ELF file");
  wide_ = bytes[4] == 2;
  little_ = bytes[5] == 1;
}

std::uint64_t ElfEdit::get(Field f) const {
  std::uint64_t value = 0;
  for (int i = 0; i < f.size; ++i)
    value = value << 8 | static_cast<unsigned char>(bytes.at(f.at + (little_ ? f.size - 1 - i : i)));
  return value;
}

void ElfEdit::set(Field f, std::uint64_t value) {
  for (int i = 0; i < f.size; ++i)
    bytes.at(f.at + (little_ ? i : f.size - 1 - i)) = static_cast<char>(value >> (8 * i) & 0xff);
}

Field ElfEdit::word(std::size_t at32, std::size_t at64) const { return wide_ ? Field{at64, 8} : Field{at32, 4}; }
Field ElfEdit::half(std::size_t at32, std::size_t at64) const { return {wide_ ? at64 : at32, 2}; }
Field ElfEdit::quarter(std::size_t at) const { return {at, 4}; }

Field ElfEdit::e_phoff() const { return word(0x1c, 0x20); }
Field ElfEdit::e_shoff() const { return word(0x20, 0x28); }
Field ElfEdit::e_phnum() const { return half(0x2c, 0x38); }
Field ElfEdit::e_shnum() const { return half(0x30, 0x3c); }
Field ElfEdit::e_shstrndx() const { return half(0x32, 0x3e); }

std::size_t ElfEdit::section_header(std::size_t i) const { return get(e_shoff()) + i * (wide_ ? 64 : 40); }
std::size_t ElfEdit::program_header(std::size_t i) const { return get(e_phoff()) + i * (wide_ ? 56 : 32); }

Field ElfEdit::sh_name(std::size_t i) const { return quarter(section_header(i)); }
Field ElfEdit::sh_type(std::size_t i) const { return quarter(section_header(i) + 4); }
Field ElfEdit::sh_flags(std::size_t i) const { std::size_t h = section_header(i); return word(h + 8, h + 8); }
Field ElfEdit::sh_addr(std::size_t i) const { std::size_t h = section_header(i); return word(h + 12, h + 16); }
Field ElfEdit::sh_offset(std::size_t i) const { std::size_t h = section_header(i); return word(h + 16, h + 24); }
Field ElfEdit::sh_size(std::size_t i) const { std::size_t h = section_header(i); return word(h + 20, h + 32); }

Field ElfEdit::p_type(std::size_t i) const { return quarter(program_header(i)); }
Field ElfEdit::p_offset(std::size_t i) const { std::size_t h = program_header(i); return word(h + 4, h + 8); }
Field ElfEdit::p_filesz(std::size_t i) const { std::size_t h = program_header(i); return word(h + 16, h + 32); }
Field ElfEdit::p_memsz(std::size_t i) const { std::size_t h = program_header(i); return word(h + 20, h + 40); }

std::optional<std::size_t> ElfEdit::section_of_type(std::uint32_t type) const {
  for (std::size_t i = 0; i < get(e_shnum()); ++i)
    if (get(sh_type(i)) == type)
      return i;
  return std::nullopt;
}

std::optional<std::size_t> ElfEdit::section_named(const std::string &prefix) const {
  std::size_t names = get(sh_offset(get(e_shstrndx())));
  for (std::size_t i = 0; i < get(e_shnum()); ++i)
    if (bytes.compare(names + get(sh_name(i)), prefix.size(), prefix) == 0)
      return i;
  return std::nullopt;
}

std::optional<Field> ElfEdit::dynamic_value(std::int64_t tag) const {
  for (std::size_t i = 0; i < get(e_phnum()); ++i) {
    if (get(p_type(i)) != 2) // PT_DYNAMIC
      continue;
    std::size_t entry = wide_ ? 16 : 8;
    for (std::size_t at = get(p_offset(i)); at + entry <= get(p_offset(i)) + get(p_filesz(i)); at += entry)
      if (get(word(at, at)) == static_cast<std::uint64_t>(tag))
        return word(at + 4, at + 8);
  }
  return std::nullopt;
}

std::string ElfEdit::sstripped() const {
  ElfEdit out(bytes);
  std::size_t end = program_header(get(e_phnum()));
  for (std::size_t i = 0; i < get(e_phnum()); ++i)
    if (get(p_type(i)) == 1) // PT_LOAD
      end = std::max<std::size_t>(end, get(p_offset(i)) + get(p_filesz(i)));
  out.set(e_shoff(), 0);
  out.set(e_shnum(), 0);
  out.set(e_shstrndx(), 0);
  out.bytes.resize(end);
  return out.bytes;
}

std::vector<std::size_t> ar_member_headers(const std::string &archive) {
  std::vector<std::size_t> out;
  for (std::size_t at = 8; at + 60 <= archive.size();) {
    out.push_back(at);
    std::size_t size = std::stoul(archive.substr(at + 48, 10));
    at += 60 + size + (size & 1);
  }
  return out;
}

} // namespace abitag::test
