// SPDX-License-Identifier: MIT
// abitag adopt through the binary on roots made of the committed kmod and qt
// fixtures with a dpkg database: a kernel package and an out-of-tree module
// package, a Qt library and a user of its private API. The records adopt
// makes, exactly as `show` prints them; then the provider rebuilt (the
// kernel's exports, the Qt version changed) and adopted alone: check names
// the dependant and nothing else.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/adopt_support.h"
#include "tests/kmod_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const std::string kRelease = "6.1.0-57-cloud-amd64";
const std::string kTree = "/lib/modules/" + kRelease;
const std::string kImage = "/boot/vmlinuz-" + kRelease;
const std::string kSymvers = "/usr/src/linux-headers-" + kRelease + "/Module.symvers";
const std::string kUio = kTree + "/kernel/drivers/uio/uio.ko";
const std::string kHello = kTree + "/updates/dkms/hello.ko";
const std::string kVermagic = kRelease + " SMP preempt mod_unload modversions";

const std::string kLibDir = "/usr/lib/x86_64-linux-gnu";
const std::string kShapes = kLibDir + "/libQt5QuickShapes.so.5.15.8";
const std::string kShapesLink = kLibDir + "/libQt5QuickShapes.so.5";
const std::string kPlugin = kLibDir + "/qt5/qml/QtQuick/Shapes/libqmlshapesplugin.so";

void copy_tree(const std::string &from, const std::string &to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

// The files of TREE (inside ROOT) that are regular files, as a package lists them.
std::vector<std::string> files_under(const std::string &root, const std::string &tree) {
  std::vector<std::string> out;
  for (const fs::directory_entry &entry : fs::recursive_directory_iterator(root + tree))
    if (entry.is_regular_file() && !entry.is_symlink())
      out.push_back(entry.path().string().substr(root.size()));
  std::sort(out.begin(), out.end());
  return out;
}

// The export SYMBOL's CRC changed in the Module.symvers line and in the
// module's __kcrctab, as a rebuild that changes its interface leaves them.
void change_export_crc(const std::string &root, const std::string &module, const std::string &symbol,
                       std::uint32_t crc) {
  std::string symvers = read_file(root + kSymvers);
  char old_crc[16], new_crc[16];
  std::snprintf(old_crc, sizeof old_crc, "0x%08x\t", crc);
  std::snprintf(new_crc, sizeof new_crc, "0x%08x\t", crc ^ 1);
  write_file(root + kSymvers, patched(symvers, old_crc + symbol + "\t", new_crc + symbol + "\t"));
  std::string little(4, '\0'), flipped(4, '\0');
  for (int i = 0; i < 4; ++i) {
    little[i] = static_cast<char>((crc >> (8 * i)) & 0xff);
    flipped[i] = static_cast<char>(((crc ^ 1) >> (8 * i)) & 0xff);
  }
  SectionPlace crcs = section_place(read_file(root + module), "__kcrctab_gpl");
  write_file(root + module, patched(read_file(root + module), little, flipped, crcs.offset, crcs.offset + crcs.size));
}

} // namespace

TEST_CASE("adopt kmod: a kernel package and an out-of-tree module locked on it, then the kernel's exports changed",
          "[adopt][kmod]") {
  TempDir dir;
  std::string root = dir.path() + "/root", db = dir.path() + "/tags.db";
  copy_tree(fixture("kmod/root61"), root);
  std::vector<std::string> kernel = files_under(root, kTree + "/kernel");
  kernel.insert(kernel.begin(), {kImage, "/boot/config-" + kRelease});
  std::string image = "linux-image-" + kRelease, headers = "linux-headers-" + kRelease;
  write_dpkg_database(root, {{image, kernel}, {headers, {kSymvers}}, {"hello-dkms", {kHello}}});

  nlohmann::json first = adopt_json(root, db);
  CHECK(first["skipped"].empty());
  std::vector<std::string> kernel_lines = shown(image, db);
  REQUIRE(kernel_lines.size() == 3);
  CHECK(kernel_lines[0] == image);
  CHECK(kernel_lines[1] == "  tag  cxxabi=compat (cxxabi)");
  // The image's exports, and the in-tree modules' from the headers' Module.symvers.
  std::string tag = kernel_lines[2];
  std::string prefix = "  tag  kmod=" + kVermagic + " exports-sha256:";
  CHECK(tag.rfind(prefix, 0) == 0);
  CHECK(tag.size() == prefix.size() + 64 + std::string(" (kmod)").size());
  std::string kernel_value = tag.substr(std::string("  tag  kmod=").size(), tag.size() - 19);
  CHECK(shown("hello-dkms", db) == std::vector<std::string>{"hello-dkms", "  tag  cxxabi=compat (cxxabi)",
                                                            "  tag  kmod=" + kVermagic + " (kmod)",
                                                            "  lock " + image + " kmod=" + kernel_value});
  // The headers' Module.symvers is not under a modules tree: no kmod tag.
  CHECK(run(abitag_binary(), {"show", headers, "--db", db}).exit_code == 3);
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);
  nlohmann::json again = adopt_json(root, db);
  CHECK(again["tags"].empty());
  CHECK(again["locks"].empty());

  // The kernel rebuilt under the same release, uio's uio_event_notify with another CRC.
  change_export_crc(root, kUio, "uio_event_notify", 0xbf4ca01c);
  nlohmann::json rebuilt = adopt_json(root, db, {"--package", image});
  REQUIRE(rebuilt["tags"].size() == 1);
  CHECK(rebuilt["tags"][0]["key"] == "kmod");
  CHECK(rebuilt["tags"][0]["value"] != kernel_value);
  Run check = run(abitag_binary(), {"check", "--db", db, "--root", root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"hello-dkms"});
  // The module rebuilt against it and adopted: clean again.
  adopt_json(root, db, {"--package", "hello-dkms"});
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);
}

TEST_CASE("adopt qt: a user of Qt's private API locked on its Qt, then that Qt of another version", "[adopt][qt]") {
  TempDir dir;
  std::string root = dir.path() + "/root", db = dir.path() + "/tags.db";
  copy_tree(fixture("qt/libqt5quickshapes5"), root);
  copy_tree(fixture("qt/qml-module-qtquick-shapes"), root);
  write_dpkg_database(root, {{"libqt5quickshapes5", {kShapes, kShapesLink}}, {"qml-module-qtquick-shapes", {kPlugin}}});

  Run dry = run(abitag_binary(), {"adopt", root, "--dry-run", "--db", db});
  CHECK(dry.exit_code == 0);
  CHECK(lines(dry.out) == std::vector<std::string>{
                              "tag libqt5quickshapes5 cxxabi compat",
                              "tag libqt5quickshapes5 qt 5.15.8",
                              "tag libqt5quickshapes5 sonames libQt5QuickShapes.so.5",
                              "tag qml-module-qtquick-shapes cxxabi compat",
                              "tag qml-module-qtquick-shapes qt none",
                              "lock qml-module-qtquick-shapes libqt5quickshapes5 qt 5.15.8",
                              "lock qml-module-qtquick-shapes libqt5quickshapes5 sonames libQt5QuickShapes.so.5",
                          });
  adopt_json(root, db);
  // The plugin exports no private API ("none", as `abitag qt` says) and uses QtQuickShapes'.
  CHECK(shown("qml-module-qtquick-shapes", db) ==
        std::vector<std::string>{"qml-module-qtquick-shapes", "  tag  cxxabi=compat (cxxabi)", "  tag  qt=none (qt)",
                                 "  lock libqt5quickshapes5 qt=5.15.8",
                                 "  lock libqt5quickshapes5 sonames=libQt5QuickShapes.so.5"});
  CHECK(shown("libqt5quickshapes5", db) ==
        std::vector<std::string>{"libqt5quickshapes5", "  tag  cxxabi=compat (cxxabi)", "  tag  qt=5.15.8 (qt)",
                                 "  tag  sonames=libQt5QuickShapes.so.5 (adopt)"});
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);

  // The library of another Qt patch release.
  std::string next = with_qt_5_15_7(read_file(root + kShapes));
  fs::remove(root + kShapes); // a new file, as a package manager installs one
  write_file(root + kShapes, next);
  nlohmann::json rebuilt = adopt_json(root, db, {"--package", "libqt5quickshapes5"});
  REQUIRE(rebuilt["tags"].size() == 1);
  CHECK(rebuilt["tags"][0]["value"] == "5.15.7");
  Run check = run(abitag_binary(), {"check", "--db", db, "--root", root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"qml-module-qtquick-shapes"});
}
