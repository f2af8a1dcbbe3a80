// SPDX-License-Identifier: MIT
// A kernel image as /boot holds it (x86's bzImage, vmlinuz-R): its release
// and the exports of vmlinux, read from the compressed vmlinux inside it.
// Distributions ship no Module.symvers with the image, and their
// System.map is often a stub: this is where vmlinux's CRCs are.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/kmod/elf_image.h"
#include "analyzers/kmod/kmod.h"

namespace abitag::kmod {

struct KernelImage {
  std::string release;         // the first word of its version string
  std::string version;         // "6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP ..."
  const char *compression = ""; // of the vmlinux inside
  std::vector<ExportedSymbol> exports;
};

// Whether the first bytes may start a bzImage ("MZ": the EFI stub every
// distribution kernel has); read_kernel_image decides.
bool may_be_kernel_image(std::string_view head);

// The image in BYTES, or nothing when BYTES are no bzImage (no "HdrS"
// boot header at 0x202).
llvm::Expected<std::optional<KernelImage>> read_kernel_image(std::string_view bytes);

// The exports of a linked vmlinux: __ksymtab and __ksymtab_gpl with their
// CRCs in __kcrctab and __kcrctab_gpl (same index), names and namespaces
// through 32-bit place-relative offsets (CONFIG_HAVE_ARCH_PREL32_RELOCATIONS:
// x86_64, arm64, ...) or pointers, each a virtual address in the image.
llvm::Expected<std::vector<ExportedSymbol>> read_vmlinux_exports(const ElfImage &image);

} // namespace abitag::kmod
