// SPDX-License-Identifier: MIT
// The audit by package, through the real binary: audit images with the
// pacman and rpm fixture packages installed by the real tools, where the
// program was built against the other dual ABI than the installed library.
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/audit_image.h"
#include "tests/packages_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

nlohmann::json audit_json(const std::string &image) {
  Run run = audit({image, "--only", "linkage", "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 1);
  return nlohmann::json::parse(run.out);
}

} // namespace

TEST_CASE("audit by package: the library built with the other dual ABI is the one package to rebuild (pacman)",
          "[audit][packages][pacman]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "clean");
  pacman_install(image, {"libabidemo-1:1.0-2", "abidemo-1:1.0-1"});
  nlohmann::json report = audit_json(image);
  REQUIRE(report["packages"].size() == 1);
  nlohmann::json package = report["packages"][0];
  CHECK(package["manager"] == "pacman");
  CHECK(package["name"] == "libabidemo");
  CHECK(package["version"] == "1:1.0-2");
  CHECK(package["architecture"] == "x86_64");
  CHECK(package["files"] == nlohmann::json::array({"/usr/lib/libabidemo.so.1.0"}));
  CHECK(report["orphans"].empty());
  bool named = false;
  for (const nlohmann::json &finding : report["findings"])
    if (finding["file"] == "/usr/bin/abidemo") {
      REQUIRE(finding["packages"].size() == 1);
      CHECK(finding["packages"][0]["name"] == "abidemo");
      named = true;
    }
  CHECK(named);

  for (const auto &[format, command] : std::vector<std::pair<std::string, std::string>>{
           {"pacman", "pacman -S libabidemo\n"}, {"lines", "libabidemo\n"}}) {
    Run rebuild = audit({image, "--only", "linkage", "--format", format});
    INFO(format << rebuild.err);
    CHECK(rebuild.exit_code == 1);
    CHECK(rebuild.out == command);
  }

  Run text = audit({image, "--only", "linkage"});
  CHECK(block(text.out, "PACKAGES TO REBUILD") ==
        std::vector<std::string>{"PACKAGES TO REBUILD, dependencies first (1)", "  libabidemo 1:1.0-2",
                                 "    /usr/lib/libabidemo.so.1.0"});
}

TEST_CASE("audit by package: the same on an rpm root", "[audit][packages][rpm]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "clean");
  rpm_install(image, "-i", {"libabidemo-1.0-2", "abidemo-1.0-1"});
  nlohmann::json report = audit_json(image);
  REQUIRE(report["packages"].size() == 1);
  CHECK(report["packages"][0]["manager"] == "rpm");
  CHECK(report["packages"][0]["name"] == "libabidemo");
  CHECK(report["packages"][0]["version"] == "1:1.0-2");
  Run dnf = audit({image, "--only", "linkage", "--format", "dnf"});
  CHECK(dnf.exit_code == 1);
  CHECK(dnf.out == "dnf reinstall libabidemo-1:1.0-2.x86_64\n");

  // --no-packages: the same findings, naming files only; no format needs packages.
  Run bare = audit({image, "--only", "linkage", "--json", "--no-packages"});
  CHECK(bare.exit_code == 1);
  nlohmann::json unnamed = nlohmann::json::parse(bare.out);
  CHECK(unnamed["findings"].size() == report["findings"].size());
  CHECK(unnamed["packages"].empty());
  CHECK(unnamed["orphans"].empty());
  for (const nlohmann::json &finding : unnamed["findings"])
    CHECK(finding["packages"].empty());
  Run both = audit({image, "--no-packages", "--format", "dnf"});
  CHECK(both.exit_code == 2);
  CHECK(both.err == "abitag: audit: --format excludes --no-packages\n");
}

TEST_CASE("audit --format: nothing to rebuild prints nothing and exits 0", "[audit][packages][rpm]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "clean");
  rpm_install(image, "-i", {"libabidemo-1.0-1", "abidemo-1.0-1"});
  for (const char *format : {"dnf", "lines", "cave"}) {
    Run rebuild = audit({image, "--only", "linkage", "--format", format});
    INFO(format << rebuild.err);
    CHECK(rebuild.exit_code == 0);
    CHECK(rebuild.out.empty());
  }
}

TEST_CASE("audit --format cave and emerge: the package of a program whose library was removed, with its version "
          "and slot, on the VDB and exndbam fixture roots",
          "[audit][packages]") {
  for (const char *manager : {"vdb", "exndbam"}) {
    TempDir dir;
    std::string image = make_audit_image(dir, "clean");
    fs::copy(fixture("packages/") + manager, image,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing | fs::copy_options::copy_symlinks);
    REQUIRE(fs::remove(image + "/usr/lib/x86_64-linux-gnu/libbz2.so.1.0.4"));
    Run cave = audit({image, "--only", "linkage", "--format", "cave"});
    Run emerge = audit({image, "--only", "linkage", "--format", "emerge"});
    Run lines_format = audit({image, "--only", "linkage", "--format", "lines"});
    INFO(manager << cave.err);
    CHECK(cave.exit_code == 1);
    std::string version = "1.0.8-r5";
    CHECK(cave.out == "cave resolve --execute --preserve-world =app-arch/bzip2-" + version + ":0\n");
    CHECK(emerge.out == "emerge --oneshot =app-arch/bzip2-" + version + "\n");
    CHECK(lines_format.out == "app-arch/bzip2:0\n");
  }
}

TEST_CASE("audit by package: broken files no package owns are orphans, and a damaged entry is a finding",
          "[audit][packages][pacman]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  pacman_install(image, {"libabidemo-1:1.0-1", "abidemo-1:1.0-1"});
  std::string entry = image + "/var/lib/pacman/local/abidemo-1:1.0-1";
  fs::remove(entry + "/files");
  Run text = audit({image, "--only", "linkage"});
  CHECK(text.exit_code == 1);
  std::vector<std::string> orphans = block(text.out, "NOT OWNED BY ANY INSTALLED PACKAGE");
  CHECK(std::find(orphans.begin(), orphans.end(), "  /usr/bin/needs-gone") != orphans.end());
  CHECK(block(text.out, "PACKAGES TO REBUILD").empty());
  CHECK(text.out.find("  " + entry + ": [packages/damaged-entry] damaged package database entry: files: ") !=
        std::string::npos);

  nlohmann::json report = audit_json(image);
  CHECK(report["packages"].empty());
  CHECK(std::find(report["orphans"].begin(), report["orphans"].end(), "/usr/bin/needs-gone") !=
        report["orphans"].end());
}
