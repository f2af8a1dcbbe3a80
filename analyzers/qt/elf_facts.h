// SPDX-License-Identifier: MIT
// What the qt analyzer reads from an ELF file, and nothing more: its symbol
// version definitions and needs, its dynamic section's names, its dynamic
// symbols with their versions, and the bytes of two sections. The versions
// and the names come from the ELF layer (elf/), the rest from libObject.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "elf/dynamic_names.h"

namespace abitag::qt {

// One entry of .gnu.version_d: a version this file defines (never the
// VER_FLG_BASE entry, the file's own name, which the ELF layer leaves out).
struct VersionDefinition {
  std::string name;
  std::uint16_t index = 0; // what .gnu.version gives the symbols defined under it
};

// One entry of .gnu.version_r: version NAME needed from the library FILE.
struct VersionNeed {
  std::string file; // vn_file: the soname of a DT_NEEDED library
  std::string name;
  std::uint16_t index = 0; // what .gnu.version gives the symbols imported under it
  bool weak = false;       // VER_FLG_WEAK: the loader only warns when it is missing
};

// One .dynsym entry. NAME points into the file's bytes.
struct DynamicSymbol {
  llvm::StringRef name;
  std::uint16_t version = 0; // .gnu.version index, hidden bit cleared; 0 or 1 when unversioned
  bool undefined = false;
  bool weak = false;
};

struct ElfFacts {
  std::uint16_t machine = 0;
  std::uint8_t elf_class = 0; // ELFCLASS32 or ELFCLASS64
  bool little_endian = true;
  std::vector<VersionDefinition> definitions;
  std::vector<VersionNeed> needs;
  // The rest is read only when the caller asks for it (read_elf_facts).
  elf::DynamicNames names;              // soname, DT_NEEDED, DT_RPATH, DT_RUNPATH
  std::vector<DynamicSymbol> symbols;   // .dynsym without its null entry
  llvm::StringRef qtversion;            // the bytes of .qtversion, empty when there is none
  llvm::StringRef rodata;               // the bytes of .rodata
};

// Reads the header and the version sections of the ELF file in BUFFER, then,
// when MORE says so for what was read so far, the dynamic section, the
// dynamic symbols and the two sections. The StringRefs point into BUFFER.
llvm::Expected<ElfFacts> read_elf_facts(llvm::MemoryBufferRef buffer,
                                        const std::function<bool(const ElfFacts &)> &more);

} // namespace abitag::qt
