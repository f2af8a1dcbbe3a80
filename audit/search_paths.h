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

// musl's dynamic loader for this machine and class, which is its C library
// too ("/lib/ld-musl-x86_64.so.1"), and its target ("x86_64-linux-musl");
// nulls when abitag does not know them.
struct MuslLoader {
  const char *path = nullptr;
  const char *target = nullptr;
};
MuslLoader musl_interpreter(std::uint16_t machine, std::uint8_t elf_class);

// Whether NEEDED is a name musl's loader answers with itself, whatever
// folder holds a file of that name: libc.so, libc.musl-x86_64.so.1,
// libpthread.so.0, libm.so.6... (ldso/dynlink.c, load_library's "reserved").
bool musl_reserved_name(const std::string &needed);

// Expands $ORIGIN, ${ORIGIN}, $LIB and $PLATFORM in one search path entry.
// ORIGIN is the folder of the object, as a path inside ROOT.
std::string expand_search_entry(const std::string &entry, const std::string &origin,
                                std::uint16_t machine, std::uint8_t elf_class);

} // namespace abitag::audit
