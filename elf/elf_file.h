// SPDX-License-Identifier: MIT
// Opening an ELF file for reading with libObject's ELFFile, of whichever
// class and byte order its e_ident gives. Not through createBinary: its
// ELFObjectFile refuses a file whose section header table cannot be read,
// and the loader, which never reads that table, still loads such a file.
#pragma once

#include <cstdint>
#include <utility>

#include <llvm/ADT/StringRef.h>
#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELF.h>

#include "fingerprint/errors.h"

namespace abitag::elf {

// Calls READ(elf) with the ELFFile of BYTES and returns what it returns (an
// llvm::Expected), or the reason BYTES are not an ELF file of a known class
// and byte order.
// Whether BYTES (an ELF file's first bytes, at least its header's first 18)
// are a shared object or position-independent program: e_type ET_DYN.
inline bool is_shared_object(llvm::StringRef bytes) {
  if (bytes.size() < 18)
    return false;
  bool little = bytes[llvm::ELF::EI_DATA] == llvm::ELF::ELFDATA2LSB;
  unsigned type = little ? std::uint8_t(bytes[16]) | std::uint8_t(bytes[17]) << 8
                         : std::uint8_t(bytes[17]) | std::uint8_t(bytes[16]) << 8;
  return type == llvm::ELF::ET_DYN;
}

template <class Read>
auto with_elf_file(llvm::StringRef bytes, Read &&read)
    -> decltype(read(std::declval<const llvm::object::ELFFile<llvm::object::ELF64LE> &>())) {
  using namespace llvm::object;
  if (bytes.size() < llvm::ELF::EI_NIDENT || !bytes.startswith("\x7f" "ELF"))
    return make_error("not an ELF object");
  unsigned char elf_class = bytes[llvm::ELF::EI_CLASS], data = bytes[llvm::ELF::EI_DATA];
  auto open = [&](auto created) -> decltype(read(std::declval<const ELFFile<ELF64LE> &>())) {
    if (!created)
      return created.takeError();
    return read(*created);
  };
  bool little = data == llvm::ELF::ELFDATA2LSB;
  if (data != llvm::ELF::ELFDATA2LSB && data != llvm::ELF::ELFDATA2MSB)
    return make_error("invalid ELF data encoding (EI_DATA " + std::to_string(data) + ")");
  if (elf_class == llvm::ELF::ELFCLASS32)
    return little ? open(ELFFile<ELF32LE>::create(bytes)) : open(ELFFile<ELF32BE>::create(bytes));
  if (elf_class == llvm::ELF::ELFCLASS64)
    return little ? open(ELFFile<ELF64LE>::create(bytes)) : open(ELFFile<ELF64BE>::create(bytes));
  return make_error("invalid ELF class (EI_CLASS " + std::to_string(elf_class) + ")");
}

} // namespace abitag::elf
