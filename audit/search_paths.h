// SPDX-License-Identifier: MIT
// Where the dynamic linker looks for a library, read from ROOT rather than
// from the running system: ld.so.conf with its includes (what ldconfig puts
// in ld.so.cache), the built-in default directories, and the tokens of
// DT_RPATH/DT_RUNPATH entries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fingerprint/ld_so_conf.h"
#include "fingerprint/paths.h"

namespace abitag::audit {

// glibc's dynamic loader for this machine and class (what PT_INTERP names
// in its programs), or null when abitag does not know it.
const char *standard_interpreter(std::uint16_t machine, std::uint8_t elf_class);

// Expands $ORIGIN, ${ORIGIN}, $LIB and $PLATFORM in one search path entry.
// ORIGIN is the folder of the object, as a path inside ROOT.
std::string expand_search_entry(const std::string &entry, const std::string &origin,
                                std::uint16_t machine, std::uint8_t elf_class);

} // namespace abitag::audit
