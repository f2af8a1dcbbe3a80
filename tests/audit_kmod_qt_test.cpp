// SPDX-License-Identifier: MIT
// The audit's kmod and qt sections through the real binary, on roots made
// from the committed fixtures (tests/fixtures/kmod, tests/fixtures/qt) and
// patched at test time as tests/kmod_test.cpp and tests/qt_test.cpp patch
// them: a module with another vermagic, one with another CRC, a Qt library
// of another version; with a dpkg database naming their packages and a tag
// store holding the lock that decides "broken now".
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/audit_image.h"
#include "tests/elf_edit.h"
#include "tests/kmod_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const std::string kRelease = "6.1.0-57-cloud-amd64";
const std::string kTree = "/lib/modules/" + kRelease;
const std::string kUio = kTree + "/kernel/drivers/uio/uio_pci_generic.ko";
const std::string kHello = kTree + "/updates/dkms/hello.ko";
const std::string kLibDir = "/usr/lib/x86_64-linux-gnu";
const std::string kShapes = kLibDir + "/libQt5QuickShapes.so.5.15.8";
const std::string kPlugin = kLibDir + "/qt5/qml/QtQuick/Shapes/libqmlshapesplugin.so";

void copy_tree(const std::string &from, const std::string &to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks |
                         fs::copy_options::overwrite_existing);
}

nlohmann::json audit_json(const std::string &root, const std::string &only) {
  Run r = audit({root, "--only", only, "--json"});
  INFO(r.err);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  return nlohmann::json::parse(r.out);
}

// The fixture kernel's root, copied to DIR/root.
std::string kernel_root(const TempDir &dir) {
  std::string root = dir.path() + "/root";
  copy_tree(fixture("kmod/root61"), root);
  return root;
}

// The Qt Quick Shapes library and its QML plugin, which uses its private
// API, laid out as installed in DIR/root.
std::string qt_root(const TempDir &dir) {
  std::string root = dir.path() + "/root";
  copy_tree(fixture("qt/libqt5quickshapes5"), root);
  copy_tree(fixture("qt/qml-module-qtquick-shapes"), root);
  return root;
}

// The library's .qtversion made to say 5.15.7 (QT_VERSION after the 8-byte
// pointer slot), as another Qt 5.15 patch release would be.
void make_shapes_5_15_7(const std::string &root) {
  ElfEdit edit(read_file(root + kShapes));
  std::optional<std::size_t> section = edit.section_named(".qtversion");
  REQUIRE(section);
  std::size_t at = edit.get(edit.sh_offset(*section)) + 8;
  REQUIRE(edit.bytes.substr(at, 3) == std::string("\x08\x0f\x05", 3));
  edit.bytes[at] = '\x07';
  write_file(root + kShapes, edit.bytes);
}

void tag_store(const std::string &root, const std::string &locked) {
  std::string db = root + "/var/lib/abitag/tags.db";
  fs::create_directories(root + "/var/lib/abitag");
  for (const std::vector<std::string> &args :
       {std::vector<std::string>{"set", "libqt5quickshapes5", "qt", locked, "--db", db},
        std::vector<std::string>{"lock", "qml-module-qtquick-shapes", "libqt5quickshapes5", "qt", "--db", db}}) {
    Run r = run(abitag_binary(), args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
}

} // namespace

TEST_CASE("audit kmod: modules with another vermagic and another CRC are broken now in the kernel's words, the "
          "real ones are not",
          "[audit][kmod]") {
  TempDir dir;
  std::string root = kernel_root(dir);
  Run clean = audit({root, "--only", "kmod"});
  CHECK(clean.exit_code == 0);
  CHECK(block(clean.out, "SUMMARY") ==
        std::vector<std::string>{"SUMMARY", "  kmod: 1 kernels, 6 modules (1 out of tree), 0 the kernel would refuse",
                                 "  0 broken now, 0 at risk, 0 informational"});

  write_file(root + kUio, patched(read_file(root + kUio), "mod_unload", "mod_unlXad"));
  write_file(root + kHello, with_crc_flipped(read_file(root + kHello), "_printk"));
  write_dpkg(root, {{"linux-image-" + kRelease, kUio}});
  Run r = audit({root, "--only", "kmod"});
  CHECK(r.exit_code == 1);
  CHECK(block(r.out, "BROKEN NOW") ==
        std::vector<std::string>{
            "BROKEN NOW (2)",
            "  " + kUio + ": [kmod/vermagic] uio_pci_generic: version magic '" + kRelease +
                " SMP preempt mod_unlXad modversions ' should be '" + kRelease +
                " SMP preempt mod_unload modversions '",
            "    rebuild: " + kUio + " (package linux-image-" + kRelease + ")",
            "  " + kHello + ": [kmod/symbol-version] hello: disagrees about version of symbol _printk; hello: "
                            "Unknown symbol _printk (err -22)",
            "    rebuild: " + kHello});
  CHECK(block(r.out, "PACKAGES TO REBUILD") ==
        std::vector<std::string>{"PACKAGES TO REBUILD, dependencies first (1)", "  linux-image-" + kRelease + " 1.0-1",
                                 "    " + kUio});
  CHECK(block(r.out, "NOT OWNED") == std::vector<std::string>{"NOT OWNED BY ANY INSTALLED PACKAGE (1)", "  " + kHello});

  nlohmann::json doc = audit_json(root, "kmod");
  REQUIRE(doc["findings"].size() == 2);
  const nlohmann::json &hello = doc["findings"][1];
  CHECK(hello["file"] == kHello);
  CHECK(hello["details"]["release"] == kRelease);
  CHECK(hello["details"]["in_tree"] == false);
  CHECK(hello["details"]["refusals"][0]["symbol"] == "_printk");
  CHECK(doc["findings"][0]["packages"][0]["name"] == "linux-image-" + kRelease);
  CHECK(doc["sections"]["kmod"]["refused"] == 2);
  CHECK(doc["orphans"] == nlohmann::json::array({kHello}));

  Run format = audit({root, "--only", "kmod", "--format", "lines"});
  CHECK(format.exit_code == 1);
  CHECK(format.out == "linux-image-" + kRelease + "\n");
}

TEST_CASE("audit kmod: modules of a release with no kernel installed are at risk once, naming those outside kernel/",
          "[audit][kmod]") {
  TempDir dir;
  std::string root = dir.path() + "/root";
  std::string stale = "/lib/modules/6.1.0-50-cloud-amd64";
  fs::create_directories(root + stale + "/updates/dkms");
  fs::copy_file(fixture("kmod/root61") + kHello, root + stale + "/updates/dkms/hello.ko");
  // What removing a kernel leaves behind, without a module: nothing to say.
  fs::create_directories(root + "/lib/modules/6.1.0-40-cloud-amd64");
  write_file(root + "/lib/modules/6.1.0-40-cloud-amd64/modules.dep", "");
  Run r = audit({root, "--only", "kmod"});
  CHECK(r.exit_code == 0);
  CHECK(block(r.out, "AT RISK") ==
        std::vector<std::string>{
            "AT RISK (1)",
            "  " + stale + ": [kmod/no-kernel] no kernel 6.1.0-50-cloud-amd64 is installed (no "
                           "/boot/vmlinuz-6.1.0-50-cloud-amd64, no Module.symvers in " + stale +
                "/build): its 1 modules (1 outside kernel/) load into no installed kernel and cannot be checked",
            "    rebuild: " + stale + "/updates/dkms/hello.ko"});
  CHECK(block(r.out, "SUMMARY")[1] ==
        "  kmod: 0 kernels, 1 modules (1 out of tree), 0 the kernel would refuse; no kernel for: 6.1.0-50-cloud-amd64");
}

TEST_CASE("audit kmod: --under audits only the modules below it", "[audit][kmod]") {
  TempDir dir;
  std::string root = kernel_root(dir);
  write_file(root + kUio, patched(read_file(root + kUio), "mod_unload", "mod_unlXad"));
  write_file(root + kHello, with_crc_flipped(read_file(root + kHello), "_printk"));
  nlohmann::json doc = audit_json(root, "kmod");
  CHECK(doc["findings"].size() == 2);
  Run r = audit({root, "--only", "kmod", "--under", kTree + "/updates", "--json"});
  CHECK(r.exit_code == 1);
  nlohmann::json under = nlohmann::json::parse(r.out);
  REQUIRE(under["findings"].size() == 1);
  CHECK(under["findings"][0]["file"] == kHello);
}

TEST_CASE("audit qt: a Qt library of another version leaves its private-API user at risk, broken now when a lock "
          "says so",
          "[audit][qt]") {
  TempDir dir;
  std::string root = qt_root(dir);
  Run same = audit({root, "--only", "qt"});
  CHECK(same.exit_code == 0);
  CHECK(block(same.out, "SUMMARY")[2] ==
        "  qt: 2 users of Qt's private API (4 uses, 0 with a lock), 0 broken, 0 at risk");

  make_shapes_5_15_7(root);
  std::string where = "libQt5QuickShapes.so.5 (" + kShapes + ") is Qt 5.15.7 (qtversion-section)";
  Run risk = audit({root, "--only", "qt"});
  CHECK(risk.exit_code == 0);
  CHECK(block(risk.out, "AT RISK") ==
        std::vector<std::string>{"AT RISK (1)",
                                 "  " + kPlugin + ": [qt/version-differs] built against Qt 5.15.8 (qtversion-section), "
                                                  "but " + where,
                                 "    rebuild: " + kPlugin});

  write_dpkg(root, {{"libqt5quickshapes5", kShapes}, {"qml-module-qtquick-shapes", kPlugin}});
  tag_store(root, "5.15.8");
  Run broken = audit({root, "--only", "qt"});
  CHECK(broken.exit_code == 1);
  CHECK(block(broken.out, "BROKEN NOW") ==
        std::vector<std::string>{"BROKEN NOW (1)",
                                 "  " + kPlugin + ": [qt/version-differs] built against Qt 5.15.8 (the lock of "
                                                  "qml-module-qtquick-shapes on libqt5quickshapes5 qt), but " + where,
                                 "    rebuild: " + kPlugin + " (package qml-module-qtquick-shapes)"});
  Run format = audit({root, "--only", "qt", "--format", "apt"});
  CHECK(format.exit_code == 1);
  CHECK(format.out == "apt-get install --reinstall qml-module-qtquick-shapes=1.0-1\n");
  nlohmann::json doc = audit_json(root, "qt");
  REQUIRE(doc["findings"].size() == 1);
  CHECK(doc["findings"][0]["details"]["lock"]["value"] == "5.15.8");
  CHECK(doc["findings"][0]["details"]["installed"]["version"] == "5.15.7");
  CHECK(doc["packages"][0]["name"] == "qml-module-qtquick-shapes");

  // Locked on the Qt that is installed: whatever .qtversion says, nothing to rebuild.
  fs::remove(root + "/var/lib/abitag/tags.db");
  tag_store(root, "5.15.7");
  Run locked = audit({root, "--only", "qt"});
  CHECK(locked.exit_code == 0);
  CHECK(block(locked.out, "SUMMARY")[2] ==
        "  qt: 2 users of Qt's private API (4 uses, 1 with a lock), 0 broken, 0 at risk");
}

TEST_CASE("audit kmod and qt: a root without modules or Qt, where both sections say nothing", "[audit][kmod][qt]") {
  TempDir dir;
  std::string root = dir.path() + "/root";
  fs::create_directories(root + "/usr/bin");
  fs::copy_file("/bin/true", root + "/usr/bin/true");
  Run r = audit({root, "--only", "kmod,qt"});
  CHECK(r.exit_code == 0);
  CHECK(block(r.out, "SUMMARY") ==
        std::vector<std::string>{"SUMMARY", "  walk: 0 folders could not be read; 0 files could not be read",
                                 "  kmod: 0 kernels, 0 modules (0 out of tree), 0 the kernel would refuse",
                                 "  qt: 0 users of Qt's private API (0 uses, 0 with a lock), 0 broken, 0 at risk",
                                 "  0 broken now, 0 at risk, 0 informational"});
  nlohmann::json doc = audit_json(root, "kmod,qt");
  CHECK(doc["findings"].empty());
  CHECK(doc["sections"]["kmod"]["modules"] == 0);
  CHECK(doc["sections"]["qt"]["users"] == 0);
}
