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
  if (!have_tool("ldconfig")) {
    WARN("ldconfig is not installed: skipped");
    return;
  }
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
