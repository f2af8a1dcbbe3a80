// The directories the dynamic linker's configuration lists, read from a root
// rather than from the running system: ld.so.conf with its includes (what
// ldconfig puts in ld.so.cache). Used by the SBCL library search and by the
// audit's loader.
#pragma once

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

} // namespace abitag
