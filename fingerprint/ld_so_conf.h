// SPDX-License-Identifier: MIT
// The directories the dynamic linker's configuration lists, read from a root
// rather than from the running system: ld.so.conf with its includes (what
// ldconfig puts in ld.so.cache), and the built-in default directories. Used
// by the SBCL library search, the audit's loader and the qt analyzer's check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace abitag {

// The directories listed by CONF (a path inside ROOT) and the files it
// includes (glob patterns in the last path component, relative to the
// including file's folder), in order, without duplicates. Entries may be
// separated by spaces, commas or colons; "DIR=TYPE" and hwcap lines are
// understood. Missing files give nothing.
std::vector<std::string> read_ld_so_conf(const std::string &root,
                                         const std::string &conf = "/etc/ld.so.conf");

// Debian's multiarch tuple for an ELF machine and class ("x86_64-linux-gnu"),
// or null when abitag does not know it.
const char *multiarch_tuple(std::uint16_t machine, std::uint8_t elf_class);

// glibc's built-in directories for this machine and class: the Debian
// multiarch folders, then /lib and /usr/lib (for 64-bit roots laid out with
// /usr/lib64, /lib64 and /usr/lib64 first), as paths inside ROOT.
std::vector<std::string> default_library_dirs(const std::string &root, std::uint16_t machine,
                                              std::uint8_t elf_class);

} // namespace abitag
