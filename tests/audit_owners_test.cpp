// SPDX-License-Identifier: MIT
// Which package owns a file, as the audit names it in "what to rebuild"
// (packages::InstalledPackages::describe): against dpkg itself on this
// machine's files, and on a made-up dpkg database.
#include <catch2/catch.hpp>

#include <filesystem>

#include "packages/owner_index.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

// "PACKAGE" from `dpkg -S PATH` ("libstdc++6:amd64: /usr/lib/..."), or
// empty when dpkg lists no such path.
std::string dpkg_owner(const std::string &path) {
  Run r = run("dpkg", {"-S", path});
  if (r.exit_code != 0)
    return {};
  std::string line = lines(r.out).at(0);
  std::string package = line.substr(0, line.find(": "));
  return package.substr(0, package.find(':'));
}

} // namespace

TEST_CASE("audit owners: the package dpkg -S names, through merged-/usr links too", "[audit][owners]") {
  require_tool("dpkg", "dpkg");
  packages::InstalledPackages owners("/");
  std::size_t compared = 0;
  for (const char *path : {"/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", "/usr/bin/ls", "/usr/bin/cmake",
                           "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/g++-12"}) {
    if (!fs::exists(path))
      continue;
    // dpkg knows a file under the name its package ships: /bin/ls for
    // /usr/bin/ls on a merged-/usr system.
    std::string package = dpkg_owner(path);
    if (package.empty() && std::string(path).rfind("/usr/", 0) == 0)
      package = dpkg_owner(std::string(path).substr(4));
    INFO(path);
    REQUIRE(!package.empty());
    CHECK(owners.describe(path) == std::string(path) + " (package " + package + ")");
    ++compared;
  }
  CHECK(compared >= 2); // ls and libc are on every Debian machine
  CHECK(owners.describe("/usr/lib/no-such-library.so.1") == "/usr/lib/no-such-library.so.1");
}

TEST_CASE("audit owners: a made-up database, a folder two packages list naming both", "[audit][owners]") {
  TempDir dir;
  fs::create_directories(dir.path() + "/var/lib/dpkg/info");
  fs::create_directories(dir.path() + "/usr/lib");
  fs::create_symlink("usr/lib", dir.path() + "/lib"); // a merged /usr, read from the root
  write_file(dir.path() + "/var/lib/dpkg/status",
             "Package: aaa\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 1\n\n"
             "Package: bbb\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2\n");
  write_file(dir.path() + "/var/lib/dpkg/info/aaa:amd64.list", "/.\n/usr\n/usr/lib\n/usr/lib/liba.so.1\n");
  write_file(dir.path() + "/var/lib/dpkg/info/bbb.list", "/.\n/usr\n/usr/lib\n/lib/libb.so.2\n/usr/bin/b\n");
  write_file(dir.path() + "/var/lib/dpkg/info/bbb.md5sums", "/usr/lib/liba.so.1\n"); // not a list
  packages::InstalledPackages owners(dir.path());
  CHECK(owners.describe("/usr/lib/liba.so.1") == "/usr/lib/liba.so.1 (package aaa)");
  CHECK(owners.describe("/usr/bin/b") == "/usr/bin/b (package bbb)");
  CHECK(owners.describe("/usr/lib/libb.so.2") == "/usr/lib/libb.so.2 (package bbb)"); // as /lib/libb.so.2
  CHECK(owners.describe("/usr/lib") == "/usr/lib (packages aaa, bbb)");
  CHECK(owners.describe("/usr/lib/libc.so.6") == "/usr/lib/libc.so.6");
  CHECK(owners.describe("/.") == "/.");
  CHECK(owners.problems().empty());
}

TEST_CASE("audit owners: no package database describes every file by its path", "[audit][owners]") {
  TempDir dir;
  packages::InstalledPackages owners(dir.path());
  CHECK(owners.describe("/usr/bin/b") == "/usr/bin/b");
  CHECK(owners.problems().empty());
}
