// SPDX-License-Identifier: MIT
// Whether the dynamic linker would find a bare soname: the names in
// /etc/ld.so.cache, the directories of /etc/ld.so.conf (with its includes),
// then the default directories, as dlopen searches them. All of it is read
// inside a root, so an image is judged by its own cache and configuration.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace abitag::sbcl {

struct LibrarySearch {
  std::string root = "/"; // every path below, and the paths the cache names, are inside it
  std::string cache_path = "/etc/ld.so.cache";
  std::string conf_path = "/etc/ld.so.conf";
  std::vector<std::string> default_dirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                           "/lib64", "/usr/lib64", "/lib", "/usr/lib"};
};

// True when SONAME (no slash) is in the cache for x86-64 with a file under the
// root, or names a 64-bit x86-64 ELF file in one of the directories.
bool soname_resolves(const std::string &soname, const LibrarySearch &search = {});
// The file (inside the root) the dynamic linker would load for SONAME, as
// soname_resolves finds it, or none.
std::optional<std::string> soname_path(const std::string &soname, const LibrarySearch &search = {});

// The paths (inside the root) that the bytes of an ld.so.cache give for
// SONAME on x86-64, in cache order.
std::vector<std::string> ld_so_cache_lists(std::string_view cache, const std::string &soname);

} // namespace abitag::sbcl
