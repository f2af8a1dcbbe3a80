// Whether the dynamic linker would find a bare soname: the names in
// /etc/ld.so.cache, the directories of /etc/ld.so.conf (with its includes),
// then the default directories, as dlopen searches them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace abitag::sbcl {

struct LibrarySearch {
  std::string cache_path = "/etc/ld.so.cache";
  std::string conf_path = "/etc/ld.so.conf";
  std::vector<std::string> default_dirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                           "/lib64", "/usr/lib64", "/lib", "/usr/lib"};
};

// True when SONAME (no slash) is in the cache for x86-64, or names a 64-bit
// x86-64 ELF file in one of the directories.
bool soname_resolves(const std::string &soname, const LibrarySearch &search = {});

// Whether the bytes of an ld.so.cache list SONAME for x86-64.
bool ld_so_cache_lists(std::string_view cache, const std::string &soname);

} // namespace abitag::sbcl
