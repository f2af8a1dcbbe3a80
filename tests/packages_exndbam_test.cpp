// SPDX-License-Identifier: MIT
// The Paludis exndbam reader, on the fixture root
// scripts/make-fixtures-packages writes (real files of Debian's libbz2 and
// bzip2 under an exndbam repository), and on damaged copies of it.
#include <catch2/catch.hpp>

#include <filesystem>

#include "packages/owner_index.h"
#include "tests/packages_support.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::packages;
using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const std::string kData = "/var/db/paludis/repositories/installed/data";
const std::string kCookie = ":C.4242.1700000000.123456.C";

// A made-up repository with one entry whose files are given.
struct ExndbamRoot {
  TempDir dir;
  std::string installed = dir.path() + "/var/db/paludis/repositories/installed";
  std::string entry = installed + "/data/dev-libs---foo/1.2:0" + kCookie;

  ExndbamRoot() {
    fs::create_directories(entry);
    write_file(installed + "/ndbam.conf", "ndbam_format = 1\nrepository_format = exndbam-1\n");
  }
};

} // namespace

TEST_CASE("packages exndbam: the fixture root's packages, slots, files and dependencies", "[packages][exndbam]") {
  std::string root = fixture("packages/exndbam");
  CHECK(detect(root) == std::vector<Manager>{Manager::exndbam});
  Database database = read_or_fail(root, Manager::exndbam);
  std::vector<std::string> ids;
  for (const Package &package : database.packages)
    ids.push_back(package.id.display());
  // The -checking- folder is a merge in progress, not a package.
  CHECK(ids == std::vector<std::string>{"app-arch/bzip2-1.0.8-r5:0::arbor", "app-arch/libbz2-1.0.6:legacy::arbor",
                                        "app-arch/libbz2-1.0.8:0::arbor", "dev-libs/broken-1.0:0"});
  const Package &bzip2 = database.packages[0];
  CHECK(bzip2.entry == kData + "/app-arch---bzip2/1.0.8-r5:0" + kCookie);
  CHECK(bzip2.files.size() == 24);
  std::vector<std::string> paths = paths_of(bzip2);
  CHECK(std::count(paths.begin(), paths.end(), "/usr/share/doc/bzip2-1.0.8-r5/c++ notes.txt") == 1);
  FileView link = bzip2.files[21]; // after 7 folders, 6 files, 4 links and 4 man pages
  CHECK(link.path == "/usr/share/man/man1/bunzip2.1.gz");
  CHECK(link.type == EntryType::symlink);
  CHECK(link.link_target == "bzip2.1.gz");
  CHECK(bzip2.dependencies ==
        std::vector<std::string>{"app-arch/libbz2:=0", "sys-libs/glibc[>=2.34]", "ssl? ( dev-libs/openssl:= )"});
  CHECK(bzip2.build_dependencies == std::vector<std::string>{"sys-devel/make", "ssl? ( dev-libs/openssl:= )"});
  CHECK(bzip2.built_against == std::vector<std::string>{"app-arch/libbz2:=0"});
  CHECK(database.packages[2].dependencies == std::vector<std::string>{"sys-libs/glibc[>=2.34]"});
  CHECK(database.packages[1].id.short_name() == "app-arch/libbz2:legacy");
  CHECK(database.packages[3].files.empty());
  CHECK(damage_of(database) ==
        std::vector<std::string>{kData + "/app-arch---bzip2/1.0.8-r5:0" + kCookie + "/contents:25: no path",
                                 kData + "/dev-libs---broken/1.0:0" + kCookie +
                                     ": its contents: No such file or directory"});

  std::vector<Database> databases;
  databases.push_back(std::move(database));
  OwnerIndex index(std::move(databases), RootAliases::read(root));
  CHECK(index.packages_named("app-arch/libbz2").size() == 2);
  for (std::string path : paths) {
    INFO(path);
    CHECK(fs::exists(fs::symlink_status(root + path)));
  }
  CHECK(index.owners("/usr/share/doc/bzip2-1.0.8-r5/c++ notes.txt").at(0)->id.name == "app-arch/bzip2");
  CHECK(index.owners("/usr/lib/x86_64-linux-gnu/libbz2.so.1.0.4").at(0)->id.version == "1.0.8");
  CHECK(index.owners("/usr/share/doc/libbz2-1.0.6/README").at(0)->id.slot == "legacy");
}

TEST_CASE("packages exndbam: contents escaping decoded as Paludis decodes it", "[packages][exndbam]") {
  ExndbamRoot root;
  write_file(root.entry + "/contents",
             "type=dir path=/usr\n"
             "type=file path=/usr/lib/libstdc\\+\\+.so.6 md5=00 mtime=1 part=libs volatile=true\n"
             "type=file path=/usr/share/a\\ b\\nc md5=00 mtime=1\n"
             "type=sym path=/usr/lib/x\\ y target=../a\\\\b mtime=1\n");
  write_file(root.entry + "/SLOT", "0\n");
  Database database = read_or_fail(root.dir.path(), Manager::exndbam);
  CHECK(database.damaged.empty());
  REQUIRE(database.packages.size() == 1);
  CHECK(paths_of(database.packages[0]) ==
        std::vector<std::string>{"/usr", "/usr/lib/libstdc++.so.6", "/usr/share/a b\nc", "/usr/lib/x y"});
  CHECK(database.packages[0].files[3].link_target == "../a\\b");
  CHECK(database.packages[0].id.repository.empty()); // Paludis writes REPOSITORY only when set
}

TEST_CASE("packages exndbam: malformed lines and entries are findings naming them", "[packages][exndbam]") {
  ExndbamRoot root;
  write_file(root.entry + "/contents", "type=file path=/ok md5=00 mtime=1\n"
                                       "type=file path=/a\\\n"
                                       "type=file path\n"
                                       "type=weird path=/b\n"
                                       "type=file path=/c\n"
                                       "type=sym path=/d mtime=1\n"
                                       "path=/e\n"
                                       "type=dir path=/f path=/g\n");
  write_file(root.entry + "/DEPENDENCIES", "run: ( dev-libs/a\n");
  fs::create_directories(root.installed + "/data/dev-libs---nocookie/1.0");
  fs::create_directories(root.installed + "/data/nocategory/1.0:0" + kCookie);
  Database database = read_or_fail(root.dir.path(), Manager::exndbam);
  REQUIRE(database.packages.size() == 1);
  CHECK(paths_of(database.packages[0]) == std::vector<std::string>{"/ok"});
  std::string at = kData + "/dev-libs---foo/1.2:0" + kCookie;
  CHECK(damage_of(database) == std::vector<std::string>{
                                   at + "/DEPENDENCIES: its parentheses do not balance",
                                   at + "/contents:2: a backslash at the end of the line",
                                   at + "/contents:3: a token without '='",
                                   at + "/contents:4: the unknown type weird",
                                   at + "/contents:5: a file without md5 or mtime",
                                   at + "/contents:6: a link without target or mtime",
                                   at + "/contents:7: no type",
                                   at + "/contents:8: the key path twice",
                                   kData + "/dev-libs---nocookie/1.0: not data/CATEGORY---PACKAGE/VERSION:SLOT:COOKIE",
                                   kData + "/nocategory/1.0:0" + kCookie +
                                       ": not data/CATEGORY---PACKAGE/VERSION:SLOT:COOKIE"});
}

TEST_CASE("packages exndbam: an ndbam.conf of another format is an error naming it", "[packages][exndbam]") {
  ExndbamRoot root;
  write_file(root.installed + "/ndbam.conf", "ndbam_format = 2\n");
  auto database = read_database(root.dir.path(), Manager::exndbam);
  REQUIRE(!static_cast<bool>(database));
  CHECK(llvm::toString(database.takeError()) ==
        "/var/db/paludis/repositories/installed/ndbam.conf: ndbam_format 2, where abitag reads format 1");
}
