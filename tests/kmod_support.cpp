// SPDX-License-Identifier: MIT
#include "tests/kmod_support.h"

#include <llvm/Object/ELF.h>

#include "tests/elf_edit.h"

namespace abitag::test {

SectionPlace section_place(const std::string &bytes, const std::string &name) {
  auto file = must(llvm::object::ELF64LEFile::create(llvm::StringRef(bytes)));
  std::size_t index = 0;
  for (const auto &section : must(file.sections())) {
    if (must(file.getSectionName(section)) == name)
      return {static_cast<std::size_t>(section.sh_offset), static_cast<std::size_t>(section.sh_size),
              static_cast<std::size_t>(file.getHeader().e_shoff + index * sizeof(section) + 32)};
    ++index;
  }
  FAIL("no section " << name);
  return {};
}

std::string patched(std::string bytes, const std::string &from, const std::string &to, std::size_t begin,
                    std::size_t end) {
  REQUIRE(from.size() == to.size());
  end = std::min(end, bytes.size());
  std::size_t count = 0;
  for (std::size_t at = bytes.find(from, begin); at != std::string::npos && at + from.size() <= end;
       at = bytes.find(from, at + from.size())) {
    bytes.replace(at, from.size(), to);
    ++count;
  }
  REQUIRE(count > 0);
  return bytes;
}

std::string with_crc_flipped(const std::string &bytes, const std::string &symbol) {
  SectionPlace versions = section_place(bytes, "__versions");
  std::string record_name = symbol + std::string(1, '\0');
  for (std::size_t at = versions.offset; at < versions.offset + versions.size; at += 64)
    if (bytes.compare(at + 8, record_name.size(), record_name) == 0) {
      std::string out = bytes;
      out[at] = static_cast<char>(out[at] ^ 1);
      return out;
    }
  FAIL("no __versions record for " << symbol);
  return {};
}

std::string with_qt_5_15_7(const std::string &bytes) {
  ElfEdit edit(bytes);
  std::optional<std::size_t> section = edit.section_named(".qtversion");
  REQUIRE(section);
  std::size_t at = edit.get(edit.sh_offset(*section)) + 8;
  REQUIRE(edit.bytes.substr(at, 3) == std::string("\x08\x0f\x05", 3));
  edit.bytes[at] = '\x07';
  return edit.bytes;
}

} // namespace abitag::test
