// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <fstream>
#include <unistd.h>

#include "fingerprint/discover.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

DiscoverOptions elf_or_ar(const std::string &root = "/") {
  DiscoverOptions options;
  options.root = root;
  options.accept = [](std::string_view head) { return sniff_content(head) != ContentKind::Other; };
  options.wanted = "not an ELF file or ar archive";
  return options;
}

void write(const std::string &path, const std::string &bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::vector<std::string> paths(const Discovery &d) {
  std::vector<std::string> out;
  for (const InputFile &f : d.files)
    out.push_back(f.path);
  return out;
}

} // namespace

TEST_CASE("content, not names, decides what is read", "[discover]") {
  CHECK(sniff_content("\x7f" "ELF\x02\x01") == ContentKind::Elf);
  CHECK(sniff_content("!<arch>\nfoo") == ContentKind::Archive);
  CHECK(sniff_content("!<thin>\nfoo") == ContentKind::ThinArchive);
  CHECK(sniff_content("\x7f" "EL") == ContentKind::Other);
  CHECK(sniff_content("hello") == ContentKind::Other);

  TempDir dir;
  fs::copy_file(fixture("cxxabi/new-O2/libnew.so"), dir.path() + "/libfoo.so.1.2.3");
  write(dir.path() + "/README.so", "not an object\n");
  write(dir.path() + "/lib/libbar.a", "!<arch>\n");
  Discovery d = discover({dir.path()}, elf_or_ar());
  CHECK(d.errors.empty());
  CHECK(paths(d) == std::vector<std::string>{dir.path() + "/lib/libbar.a", dir.path() + "/libfoo.so.1.2.3"});
  CHECK(d.other_files == 1);
}

TEST_CASE("a walk is sorted and reads each hard-linked file once", "[discover]") {
  TempDir dir;
  for (const char *name : {"b.so", "a.so", "c/z.so", "c/a.so"})
    write(dir.path() + "/" + name, "\x7f" "ELF");
  REQUIRE(::link((dir.path() + "/a.so").c_str(), (dir.path() + "/d.so").c_str()) == 0);
  Discovery d = discover({dir.path()}, elf_or_ar());
  CHECK(paths(d) == std::vector<std::string>{dir.path() + "/a.so", dir.path() + "/b.so",
                                             dir.path() + "/c/a.so", dir.path() + "/c/z.so"});
}

TEST_CASE("links inside a walked tree are never followed", "[discover]") {
  TempDir dir;
  std::string image = dir.path() + "/image";
  write(image + "/usr/lib/real.so", "\x7f" "ELF");
  // An absolute link to the host's files: must not be read.
  fs::create_symlink(fixture("cxxabi/new-O2/libnew.so"), image + "/usr/lib/host.so");
  fs::create_symlink("real.so", image + "/usr/lib/inside.so");
  fs::create_symlink("missing.so", image + "/usr/lib/dangling.so");
  fs::create_symlink("loop-b.so", image + "/usr/lib/loop-a.so");
  fs::create_symlink("loop-a.so", image + "/usr/lib/loop-b.so");
  fs::create_directories(dir.path() + "/outside");
  write(dir.path() + "/outside/x.so", "\x7f" "ELF");
  fs::create_symlink(dir.path() + "/outside", image + "/usr/lib/dirlink");

  Discovery d = discover({image}, elf_or_ar(image));
  CHECK(paths(d) == std::vector<std::string>{image + "/usr/lib/real.so"});
  CHECK(d.errors.empty());
  std::map<std::string, std::string> links;
  for (const SkippedLink &link : d.links)
    links[link.path.substr(image.size())] = link.what;
  CHECK(links["/usr/lib/dangling.so"].rfind("dangling link", 0) == 0);
  CHECK(links["/usr/lib/loop-a.so"].rfind("link loop", 0) == 0);
  CHECK(links["/usr/lib/loop-b.so"].rfind("link loop", 0) == 0);
  // Under --root IMAGE the absolute target means IMAGE/<target>, which does not exist.
  CHECK(links["/usr/lib/host.so"].rfind("dangling link", 0) == 0);
  CHECK(links["/usr/lib/dirlink"].rfind("dangling link", 0) == 0);
  CHECK(links.count("/usr/lib/inside.so") == 0); // its target is read anyway
}

TEST_CASE("a named link is followed, absolute targets under the root", "[discover]") {
  TempDir dir;
  std::string image = dir.path() + "/image";
  write(image + "/usr/lib/libfoo.so.1", "\x7f" "ELF");
  fs::create_symlink("/usr/lib/libfoo.so.1", image + "/libfoo.so");
  fs::create_symlink("usr/lib/libfoo.so.1", image + "/relative.so");

  Discovery d = discover({image + "/libfoo.so", image + "/relative.so"}, elf_or_ar(image));
  REQUIRE(d.errors.empty());
  REQUIRE(d.files.size() == 1); // both name the same file
  CHECK(d.files[0].path == image + "/libfoo.so");
  CHECK(d.files[0].open_path == image + "/usr/lib/libfoo.so.1");

  // With the default root the absolute target is the host's, which is missing.
  Discovery host = discover({image + "/libfoo.so"}, elf_or_ar("/"));
  REQUIRE(host.errors.size() == 1);
  CHECK(host.errors[0].path == image + "/libfoo.so");
}

TEST_CASE("resolution under a root never climbs out of it", "[discover]") {
  TempDir dir;
  write(dir.path() + "/etc/passwd", "inside");
  fs::create_symlink("../../../../etc/passwd", dir.path() + "/escape");
  auto resolved = resolve_under_root(dir.path(), "/escape");
  REQUIRE(bool(resolved));
  CHECK(*resolved == dir.path() + "/etc/passwd");
  fs::create_symlink("self", dir.path() + "/self");
  auto loop = resolve_under_root(dir.path(), "/self");
  REQUIRE_FALSE(bool(loop));
  CHECK(to_message(loop.takeError()) == "too many levels of symbolic links");
}

TEST_CASE("named inputs that cannot be used are errors naming them", "[discover]") {
  TempDir dir;
  write(dir.path() + "/notes.txt", "text");
  Discovery d = discover({dir.path() + "/missing.so", dir.path() + "/notes.txt"}, elf_or_ar());
  REQUIRE(d.errors.size() == 2);
  CHECK(d.errors[0].path == dir.path() + "/missing.so");
  CHECK(d.errors[0].reason == "No such file or directory");
  CHECK(d.errors[1].reason == "not an ELF file or ar archive");
}

TEST_CASE("a folder named with a trailing slash shows its files' paths whole", "[discover]") {
  TempDir dir;
  write(dir.path() + "/top/lib/libx.so", "\x7f" "ELF\x02\x01\x01");
  Discovery plain = discover({dir.path() + "/top"}, elf_or_ar());
  Discovery slashed = discover({dir.path() + "/top/"}, elf_or_ar());
  REQUIRE(paths(plain) == std::vector<std::string>{dir.path() + "/top/lib/libx.so"});
  CHECK(paths(slashed) == paths(plain));
}
