// SPDX-License-Identifier: MIT
// Reading a module file: the parsers of each section the loader reads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzers/kmod/elf_image.h"
#include "analyzers/kmod/kernel_image.h"
#include "analyzers/kmod/kmod.h"

namespace abitag::kmod {

// .modinfo: NUL-separated KEY=VALUE strings, with runs of NULs between
// them (padding) skipped as the kernel's module_next_tag_pair does. A last
// entry without its NUL is an error (the section was cut short).
llvm::Expected<std::vector<std::pair<std::string, std::string>>> parse_modinfo(std::string_view section);

// __versions: 64-byte records of { unsigned long crc; char name[64 - sizeof(long)]; }.
llvm::Expected<std::vector<ImportedVersion>> parse_versions(const ElfImage &image, std::string_view section);

// __version_ext_crcs (u32 each) with __version_ext_names (the names one
// after another, each NUL-terminated), paired in order.
llvm::Expected<std::vector<ImportedVersion>> parse_extended_versions(const ElfImage &image,
                                                                     std::string_view crcs,
                                                                     std::string_view names);

// The module in BYTES (an ELF image, compressed or not), or nothing when
// BYTES hold an ELF file that is not a kernel module (no .modinfo and no
// .gnu.linkonce.this_module, or not a relocatable object).
llvm::Expected<std::optional<Module>> read_module_if_any(std::string_view bytes, const std::string &path);

// What a file given to `abitag kmod` holds, once decompressed: a module, a
// Module.symvers, a kernel image, or none of them (all empty).
struct KmodFile {
  std::optional<Module> module;
  std::optional<std::vector<ExportedSymbol>> symvers;
  std::optional<KernelImage> image;
  const char *compression = "none";
};
llvm::Expected<KmodFile> read_kmod_file(std::string_view bytes, const std::string &path);

// Whether HEAD (a file's first bytes) may start a module or a
// Module.symvers, plain or compressed, or a kernel image.
bool may_be_kmod_file(std::string_view head);

} // namespace abitag::kmod
