// SPDX-License-Identifier: MIT
#include "analyzers/sbcl/runtime_build_id.h"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELFObjectFile.h>

#include "analyzers/sbcl/core_header.h"
#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"

namespace abitag::sbcl {

using llvm::Expected;
using namespace llvm::object;

namespace {

// Maps the symbol's address to file bytes through the PT_LOAD segment that
// holds it, so section headers are not needed.
template <class ELFT>
Expected<std::string> symbol_bytes(const ELFFile<ELFT> &elf, std::uint64_t address, std::uint64_t size) {
  auto segments = elf.program_headers();
  if (!segments)
    return segments.takeError();
  llvm::StringRef file = llvm::toStringRef(llvm::ArrayRef<uint8_t>(elf.base(), elf.getBufSize()));
  for (const auto &segment : *segments) {
    if (segment.p_type != llvm::ELF::PT_LOAD || address < segment.p_vaddr)
      continue;
    std::uint64_t inside = address - segment.p_vaddr;
    if (inside > segment.p_filesz || size > segment.p_filesz - inside)
      continue;
    std::uint64_t offset = segment.p_offset + inside;
    if (offset > file.size() || size > file.size() - offset)
      return make_error("the build_id symbol lies outside the file");
    return file.substr(offset, size).str();
  }
  return make_error("the build_id symbol is not in a loaded segment with file contents");
}

template <class ELFT> Expected<std::optional<std::string>> find_build_id(const ELFFile<ELFT> &elf) {
  auto sections = elf.sections();
  if (!sections)
    return sections.takeError();
  for (const auto &section : *sections) {
    if (section.sh_type != llvm::ELF::SHT_DYNSYM)
      continue;
    auto symbols = elf.symbols(&section);
    if (!symbols)
      return symbols.takeError();
    auto strings = elf.getStringTableForSymtab(section, *sections);
    if (!strings)
      return strings.takeError();
    for (const auto &symbol : *symbols) {
      Expected<llvm::StringRef> name = symbol.getName(*strings);
      if (!name) {
        llvm::consumeError(name.takeError());
        continue;
      }
      if (*name != "build_id" || symbol.st_shndx == llvm::ELF::SHN_UNDEF ||
          symbol.getType() != llvm::ELF::STT_OBJECT || symbol.st_size == 0)
        continue;
      Expected<std::string> bytes = symbol_bytes(elf, symbol.st_value, symbol.st_size);
      if (!bytes)
        return bytes.takeError();
      // st_size is strlen + 1: the id is the array's contents up to its NUL.
      std::string id = bytes->substr(0, bytes->find('\0'));
      if (llvm::Error e = check_build_id(id, "the build_id symbol"))
        return e;
      return std::optional<std::string>(id);
    }
  }
  return std::nullopt;
}

} // namespace

Expected<std::optional<std::string>> read_runtime_build_id(const std::string &path) {
  auto buffer = map_file(path);
  if (!buffer)
    return buffer.takeError();
  return read_runtime_build_id((*buffer)->getMemBufferRef());
}

Expected<std::optional<std::string>> read_runtime_build_id(llvm::MemoryBufferRef file) {
  Expected<std::unique_ptr<Binary>> binary = createBinary(file);
  if (!binary)
    return binary.takeError();
  if (auto *o = llvm::dyn_cast<ELF64LEObjectFile>(binary->get()))
    return find_build_id(o->getELFFile());
  if (auto *o = llvm::dyn_cast<ELF32LEObjectFile>(binary->get()))
    return find_build_id(o->getELFFile());
  if (auto *o = llvm::dyn_cast<ELF64BEObjectFile>(binary->get()))
    return find_build_id(o->getELFFile());
  if (auto *o = llvm::dyn_cast<ELF32BEObjectFile>(binary->get()))
    return find_build_id(o->getELFFile());
  return make_error("not an ELF file");
}

} // namespace abitag::sbcl
