// SPDX-License-Identifier: MIT
// The soname search of `abitag sbcl --check` against the dynamic linker's
// own cache listing (`ldconfig -p`) and against files it cannot see.
#include <catch2/catch.hpp>

#include <filesystem>

#include "analyzers/sbcl/library_search.h"
#include "tests/support.h"

using namespace abitag::test;
using abitag::sbcl::LibrarySearch;
using abitag::sbcl::soname_resolves;

TEST_CASE("sbcl: every x86-64 soname ldconfig -p lists resolves", "[sbcl]") {
  require_tool("ldconfig", "libc-bin");
  Run listing = run("ldconfig", {"-p"});
  REQUIRE(listing.exit_code == 0);
  std::size_t checked = 0;
  for (const std::string &line : lines(listing.out)) {
    // "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1"
    if (line.empty() || line[0] != '\t' || line.find("(libc6,x86-64") == std::string::npos)
      continue;
    std::string soname = line.substr(1, line.find(' ') - 1);
    INFO(soname);
    CHECK(soname_resolves(soname));
    ++checked;
  }
  CHECK(checked > 10);
  CHECK_FALSE(soname_resolves("libabitag-no-such-library.so.7"));
}

TEST_CASE("sbcl: sonames in ld.so.conf and default directories resolve, other files do not", "[sbcl]") {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/conf.d");
  std::filesystem::create_directories(dir.path() + "/libs");
  std::filesystem::create_directories(dir.path() + "/defaults");
  write_file(dir.path() + "/ld.so.conf", "# comment\ninclude conf.d/*.conf\n");
  write_file(dir.path() + "/conf.d/x.conf", dir.path() + "/libs\n");
  std::string elf = fixture("cxxabi/new-O2/libnew.so"); // an x86-64 shared object
  std::filesystem::copy_file(elf, dir.path() + "/libs/libinconf.so.1");
  std::filesystem::copy_file(elf, dir.path() + "/defaults/libindefault.so.2");
  write_file(dir.path() + "/libs/libtext.so.1", "not an ELF file\n");

  LibrarySearch search;
  search.cache_path = dir.path() + "/no-cache";
  search.conf_path = dir.path() + "/ld.so.conf";
  search.default_dirs = {dir.path() + "/defaults"};
  CHECK(soname_resolves("libinconf.so.1", search));
  CHECK(soname_resolves("libindefault.so.2", search));
  CHECK_FALSE(soname_resolves("libtext.so.1", search));
  CHECK_FALSE(soname_resolves("libmissing.so.1", search));
}

TEST_CASE("sbcl: inside a root, sonames resolve through the root's own ld.so.cache, never the host's", "[sbcl]") {
  require_tool("ldconfig", "libc-bin");
  require_tool("cc", "gcc");
  TempDir dir;
  std::string root = dir.path();
  std::filesystem::create_directories(root + "/etc");
  std::filesystem::create_directories(root + "/opt/private");
  write_file(root + "/demo.c", "int abitag_root_demo(void) { return 7; }\n");
  Run cc = run("cc", {"-shared", "-fPIC", "-Wl,-soname,libabitagroot.so.1", "-o",
                      root + "/opt/private/libabitagroot.so.1.0", root + "/demo.c"});
  INFO(cc.err);
  REQUIRE(cc.exit_code == 0);
  write_file(root + "/etc/ld.so.conf", "/opt/private\n");
  Run ldconfig = run("ldconfig", {"-r", root});
  INFO(ldconfig.err);
  REQUIRE(ldconfig.exit_code == 0);
  // The cache alone: the folder is no longer configured.
  std::filesystem::remove(root + "/etc/ld.so.conf");

  LibrarySearch search;
  search.root = root;
  Run listing = run("ldconfig", {"-r", root, "-p"});
  REQUIRE(listing.out.find("libabitagroot.so.1 (libc6,x86-64) => /opt/private/libabitagroot.so.1") !=
          std::string::npos);
  CHECK(soname_resolves("libabitagroot.so.1", search));
  CHECK_FALSE(soname_resolves("libabitagroot.so.1")); // not on this system
  CHECK(soname_resolves("libc.so.6"));                  // on this system...
  CHECK_FALSE(soname_resolves("libc.so.6", search));    // ...but not inside the root

  // A cache entry whose file is gone: ld.so searches on, and finds nothing.
  std::filesystem::remove(root + "/opt/private/libabitagroot.so.1.0");
  CHECK_FALSE(soname_resolves("libabitagroot.so.1", search));
}
