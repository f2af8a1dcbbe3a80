// SPDX-License-Identifier: MIT
// The Portage VDB reader, on the fixture root scripts/make-fixtures-packages
// writes (real files of Debian's libbz2, bzip2 and libattr under a VDB), and
// on damaged copies of it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sys/stat.h>

#include "packages/owner_index.h"
#include "tests/packages_support.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::packages;
using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const Package &named(const Database &database, const std::string &name) {
  for (const Package &package : database.packages)
    if (package.id.name == name)
      return package;
  FAIL("no package " << name);
  throw;
}

std::string file_named(const Package &package, std::string_view path) {
  for (FileView file : package.files)
    if (file.path == path)
      return std::string(file.link_target) + (file.type == EntryType::symlink ? " (link)" : "");
  return "(none)";
}

} // namespace

TEST_CASE("packages vdb: the fixture root's packages, slots, repositories and files", "[packages][vdb]") {
  std::string root = fixture("packages/vdb");
  CHECK(detect(root) == std::vector<Manager>{Manager::vdb});
  Database database = read_or_fail(root, Manager::vdb);
  CHECK(database.location == "/var/db/pkg");
  std::vector<std::string> ids;
  for (const Package &package : database.packages)
    ids.push_back(package.id.display());
  CHECK(ids == std::vector<std::string>{"app-arch/bzip2-1.0.8-r5:0::gentoo", "app-arch/libbz2-1.0.8:0/1::gentoo",
                                        "dev-libs/broken-1.0:0", "sys-apps/attr-2.5.1-r2:0/1.1::gentoo"});

  const Package &bzip2 = named(database, "app-arch/bzip2");
  CHECK(bzip2.id.short_name() == "app-arch/bzip2:0");
  CHECK(bzip2.entry == "/var/db/pkg/app-arch/bzip2-1.0.8-r5");
  CHECK(bzip2.files.size() == 24); // 7 folders, 17 files and links; the cut-short line is not one
  CHECK(file_named(bzip2, "/usr/share/doc/bzip2-1.0.8-r5/c++ notes.txt").empty()); // a file: no target
  CHECK(file_named(bzip2, "/usr/bin/bunzip2") == "bzip2 (link)");
  CHECK(file_named(bzip2, "/usr/bin/bzip2-cut-short") == "(none)");
  CHECK(bzip2.dependencies == std::vector<std::string>{"app-arch/libbz2:0/1=", ">=sys-libs/glibc-2.34"});
  CHECK(bzip2.build_dependencies == std::vector<std::string>{"app-arch/libbz2:0/1=",
                                                             "|| ( sys-devel/gcc:12 sys-devel/clang:14 )",
                                                             "dev-libs/unresolved:="});
  CHECK(bzip2.built_against == std::vector<std::string>{"app-arch/libbz2:0/1="}); // not the bare ":="
  REQUIRE(bzip2.needed_elf.size() == 2);
  CHECK(bzip2.needed_elf[0].path == "/usr/bin/bzip2");
  CHECK(bzip2.needed_elf[0].needed == std::vector<std::string>{"libbz2.so.1.0", "libc.so.6"});
  CHECK(bzip2.needed_elf[0].multilib_category == "x86_64");
  REQUIRE(bzip2.required_sonames.size() == 1);
  CHECK(bzip2.required_sonames[0].sonames == std::vector<std::string>{"libbz2.so.1.0", "libc.so.6"});

  const Package &libbz2 = named(database, "app-arch/libbz2");
  CHECK(libbz2.id.slot == "0/1");
  CHECK(libbz2.id.short_name() == "app-arch/libbz2:0");
  REQUIRE(libbz2.needed_elf.size() == 1);
  CHECK(libbz2.needed_elf[0].soname == "libbz2.so.1.0");
  REQUIRE(libbz2.provided_sonames.size() == 1);
  CHECK(libbz2.provided_sonames[0].category == "x86_64");
  CHECK(libbz2.provided_sonames[0].sonames == std::vector<std::string>{"libbz2.so.1.0"});
  CHECK(file_named(libbz2, "/usr/lib/x86_64-linux-gnu/libbz2.so.1") == "libbz2.so.1.0.4 (link)");

  // Portage 3.0.82's metadata file, its per-variable files deleted.
  const Package &attr = named(database, "sys-apps/attr");
  CHECK(attr.id.slot == "0/1.1");
  CHECK(attr.id.repository == "gentoo");
  CHECK(attr.dependencies == std::vector<std::string>{">=sys-libs/glibc-2.34"});
  REQUIRE(attr.provided_sonames.size() == 1);
  CHECK(attr.provided_sonames[0].sonames == std::vector<std::string>{"libattr.so.1"});
  CHECK(file_named(attr, "/etc/xattr.conf").empty());

  CHECK(named(database, "dev-libs/broken").files.empty());
  CHECK(damage_of(database) == std::vector<std::string>{
                                   "/var/db/pkg/app-arch/bzip2-1.0.8-r5/CONTENTS:25: an obj line without PATH MD5 MTIME",
                                   "/var/db/pkg/app-arch/notaversion: the folder name is not PACKAGE-VERSION",
                                   "/var/db/pkg/dev-libs/broken-1.0: its CONTENTS: No such file or directory"});
}

TEST_CASE("packages vdb: every listed entry is in the fixture root, and owned exactly", "[packages][vdb]") {
  std::string root = fixture("packages/vdb");
  std::vector<Database> databases;
  databases.push_back(read_or_fail(root, Manager::vdb));
  OwnerIndex index(std::move(databases), RootAliases::read(root));
  std::size_t checked = 0;
  for (const Package &package : index.databases()[0].packages)
    for (FileView file : package.files) {
      struct stat st;
      INFO(file.path);
      REQUIRE(::lstat((root + std::string(file.path)).c_str(), &st) == 0);
      CHECK((file.type == EntryType::symlink) == S_ISLNK(st.st_mode));
      CHECK((file.type == EntryType::directory) == S_ISDIR(st.st_mode));
      if (file.type != EntryType::directory) {
        std::vector<const Package *> owners = index.owners(file.path);
        CHECK(owners == std::vector<const Package *>{&package});
      }
      ++checked;
    }
  CHECK(checked > 30);
  CHECK(index.owners("/usr/share/doc/bzip2-1.0.8-r5/c++ notes.txt").size() == 1);
  CHECK(index.owners("/usr/lib/x86_64-linux-gnu").size() == 2); // a folder: libbz2 and attr list it
  CHECK(index.owners("/usr/lib/x86_64-linux-gnu/libz.so.1.3").empty()); // a merge in progress
}

TEST_CASE("packages vdb: malformed lines and files are findings naming them", "[packages][vdb]") {
  TempDir dir;
  std::string entry = dir.path() + "/var/db/pkg/dev-libs/foo-1.2_pre3-r1";
  fs::create_directories(entry);
  write_file(entry + "/SLOT", "2/2.1\n");
  write_file(entry + "/CONTENTS", "dir /usr\nobj /usr/lib/with space/libfoo.so 0123 1700000000\n"
                                  "sym /usr/lib/a -> b -> c 1700000000\nsym /usr/lib/libx.so\n"
                                  "obj /usr/lib/libfoo.so 0123\nwhat /x\ndir\n"
                                  "sym /usr/lib/old -> libfoo.so (1021234567, 1700000000L)\n");
  write_file(entry + "/NEEDED.ELF.2", "X86_64;/usr/lib/libfoo.so;libfoo.so.2\n");
  write_file(entry + "/PROVIDES", "libfoo.so.2 x86_64: libfoo.so.2\n");
  write_file(entry + "/RDEPEND", "|| ( dev-libs/a dev-libs/b\n");
  Database database = read_or_fail(dir.path(), Manager::vdb);
  REQUIRE(database.packages.size() == 1);
  const Package &foo = database.packages[0];
  CHECK(foo.id.name == "dev-libs/foo");
  CHECK(foo.id.version == "1.2_pre3-r1");
  CHECK(foo.id.display() == "dev-libs/foo-1.2_pre3-r1:2/2.1");
  CHECK(paths_of(foo) == std::vector<std::string>{"/usr", "/usr/lib/with space/libfoo.so", "/usr/lib/a -> b",
                                                  "/usr/lib/old"});
  CHECK(foo.files[2].link_target == "c");
  std::string at = "/var/db/pkg/dev-libs/foo-1.2_pre3-r1";
  CHECK(damage_of(database) == std::vector<std::string>{
                                   at + "/CONTENTS:4: a sym line without PATH -> TARGET MTIME",
                                   at + "/CONTENTS:5: an obj line without PATH MD5 MTIME",
                                   at + "/CONTENTS:6: the unknown entry type what",
                                   at + "/CONTENTS:7: a dir line without a path",
                                   at + "/NEEDED.ELF.2:1: 3 fields, where Portage needs at least 5",
                                   at + "/PROVIDES: the soname libfoo.so.2 has no category",
                                   at + "/RDEPEND: its parentheses do not balance"});
}

TEST_CASE("packages vdb: package folder names split as Portage splits them", "[packages][vdb]") {
  TempDir dir;
  for (const char *pf : {"font-adobe-100dpi-1.0.3-r1", "foo-1-2.0", "gtk+-3.24.38", "x-1.0b_alpha2_p3", "bad-1.0-rc1"}) {
    fs::create_directories(dir.path() + "/var/db/pkg/cat/" + pf);
    write_file(dir.path() + "/var/db/pkg/cat/" + pf + "/CONTENTS", "");
    write_file(dir.path() + "/var/db/pkg/cat/" + pf + "/SLOT", "0\n");
  }
  Database database = read_or_fail(dir.path(), Manager::vdb);
  std::vector<std::string> ids;
  for (const Package &package : database.packages)
    ids.push_back(package.id.name + " " + package.id.version);
  CHECK(ids == std::vector<std::string>{"cat/font-adobe-100dpi 1.0.3-r1", "cat/foo-1 2.0", "cat/gtk+ 3.24.38",
                                        "cat/x 1.0b_alpha2_p3"});
  CHECK(damage_of(database) ==
        std::vector<std::string>{"/var/db/pkg/cat/bad-1.0-rc1: the folder name is not PACKAGE-VERSION"});
}

TEST_CASE("packages vdb: no var/db/pkg is an error naming it", "[packages][vdb]") {
  TempDir dir;
  auto database = read_database(dir.path(), Manager::vdb);
  REQUIRE(!static_cast<bool>(database));
  CHECK(llvm::toString(database.takeError()) == "/var/db/pkg: No such file or directory");
}
