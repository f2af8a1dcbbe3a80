// SPDX-License-Identifier: MIT
// abitag qt against the real tools: the private versions it lists are those
// readelf -V shows, the Qt version it reads from Qt's own libraries is their
// Debian package's, and --check agrees with the dynamic loader. The fixtures
// are real Debian files (tests/fixtures/qt/packages.tsv, made by
// scripts/make-fixtures-qt); the mismatches are made at test time by
// patching a copy, or built with gcc when the layout is one Debian does not
// ship (a full-version private tag).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

struct FixtureFile {
  std::string path; // under tests/fixtures/qt
  std::string package, version;
};

std::vector<FixtureFile> fixture_files() {
  std::ifstream in(fixture("qt/packages.tsv"));
  std::vector<FixtureFile> out;
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    FixtureFile f;
    std::getline(fields, f.path, '\t');
    std::getline(fields, f.package, '\t');
    std::getline(fields, f.version, '\t');
    out.push_back(f);
  }
  return out;
}

// The upstream part of a Debian version: "5.15.8" of "5.15.8+dfsg-11+deb12u3".
std::string upstream(std::string version) {
  if (std::size_t colon = version.find(':'); colon != std::string::npos)
    version = version.substr(colon + 1);
  return version.substr(0, version.find_first_of("+-~"));
}

// `abitag qt ARGS`.
Run abitag_qt(std::vector<std::string> args) {
  args.insert(args.begin(), "qt");
  return run(abitag_binary(), args);
}

nlohmann::json json_of(const std::vector<std::string> &args) {
  Run r = abitag_qt(args);
  INFO(r.err);
  REQUIRE(r.exit_code <= 1);
  return nlohmann::json::parse(r.out);
}

const std::regex kPrivateTag("Qt_[0-9]+(\\.[0-9]+){0,2}_PRIVATE_API");

struct ReadelfVersions {
  std::set<std::pair<std::string, std::string>> needs; // (file, private version)
  std::map<std::string, std::pair<std::string, std::string>> need_of_index; // "5" -> (file, private version)
  std::set<std::string> definitions;                   // private versions defined
};

// readelf -V -W, its version definitions and needs, the private ones kept.
ReadelfVersions readelf_versions(const std::string &path) {
  Run r = run("readelf", {"-V", "-W", path});
  REQUIRE(r.exit_code == 0);
  ReadelfVersions out;
  std::smatch m;
  std::string file;
  bool in_needs = false;
  for (const std::string &line : lines(r.out)) {
    if (line.find("Version needs section") != std::string::npos)
      in_needs = true;
    else if (line.find("Version definition section") != std::string::npos)
      in_needs = false;
    if (std::regex_search(line, m, std::regex("File: (\\S+)")))
      file = m[1];
    if (!std::regex_search(line, m, std::regex("Name: (\\S+)")) || !std::regex_match(m[1].str(), kPrivateTag))
      continue;
    std::string name = m[1];
    if (!in_needs) {
      out.definitions.insert(name);
      continue;
    }
    out.needs.insert({file, name});
    REQUIRE(std::regex_search(line, m, std::regex("Version: ([0-9]+)")));
    out.need_of_index[m[1]] = {file, name};
  }
  return out;
}

using Imports = std::map<std::pair<std::string, std::string>, std::set<std::string>>;

// readelf --dyn-syms -W: the undefined symbols under each private version
// needed from each file.
Imports readelf_private_imports(const std::string &path, const ReadelfVersions &versions) {
  Run r = run("readelf", {"--dyn-syms", "-W", path});
  REQUIRE(r.exit_code == 0);
  Imports out;
  std::smatch m;
  std::regex undefined(" UND ([^@ ]+)@(\\S+) \\(([0-9]+)\\)");
  for (const std::string &line : lines(r.out))
    if (std::regex_search(line, m, undefined) && versions.need_of_index.count(m[3]))
      out[versions.need_of_index.at(m[3])].insert(m[1]);
  return out;
}

std::set<std::string> readelf_needed(const std::string &path) {
  Run r = run("readelf", {"-d", "-W", path});
  REQUIRE(r.exit_code == 0);
  std::set<std::string> out;
  std::smatch m;
  for (const std::string &line : lines(r.out))
    if (std::regex_search(line, m, std::regex("\\(NEEDED\\)\\s+Shared library: \\[(.+)\\]")))
      out.insert(m[1]);
  return out;
}

// The version in the first entry of .qtversion, from readelf -x's hex dump
// (x86-64: after the 8-byte pointer slot, little-endian).
std::string readelf_qtversion(const std::string &path) {
  Run r = run("readelf", {"-x", ".qtversion", path});
  std::smatch m;
  if (!std::regex_search(r.out, m, std::regex("0x[0-9a-f]+ [0-9a-f]{8} [0-9a-f]{8} ([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})")))
    return "unknown";
  auto byte = [&](int i) { return std::to_string(std::stoi(m[i].str(), nullptr, 16)); };
  return byte(3) + "." + byte(2) + "." + byte(1);
}

// The file offset of section NAME, from readelf -S.
std::uint64_t section_offset(const std::string &path, const std::string &name) {
  Run r = run("readelf", {"-S", "-W", path});
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(" " + name + "\\s+\\S+\\s+[0-9a-f]+ ([0-9a-f]+) ")));
  return std::stoull(m[1].str(), nullptr, 16);
}

// A copy of the fixture trees of PACKAGES in one root, as one system.
void install_fixtures(const std::string &root, const std::vector<std::string> &packages) {
  for (const std::string &package : packages)
    fs::copy(fixture("qt/" + package), root,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks | fs::copy_options::overwrite_existing);
}

} // namespace

TEST_CASE("abitag qt lists the private versions readelf -V shows, from libraries in DT_NEEDED", "[qt]") {
  require_tool("readelf", "binutils");
  std::vector<FixtureFile> files = fixture_files();
  REQUIRE(files.size() >= 9);
  for (const FixtureFile &f : files) {
    std::string path = fixture("qt/" + f.path);
    INFO(path);
    ReadelfVersions expected = readelf_versions(path);
    Imports imports = readelf_private_imports(path, expected);
    std::set<std::string> needed = readelf_needed(path);
    nlohmann::json doc = json_of({"--json", path});
    REQUIRE(doc["files"].size() == 1);
    const nlohmann::json &file = doc["files"][0];
    std::set<std::pair<std::string, std::string>> uses;
    for (const nlohmann::json &use : file["uses"]) {
      std::string library = use["library"], version = use["version"];
      uses.insert({library, version});
      CHECK(use["in_dt_needed"] == true);
      CHECK(needed.count(library) == 1);
      std::set<std::string> symbols(use["symbols"].begin(), use["symbols"].end());
      CHECK(symbols == imports[{library, version}]);
      CHECK(use["built_against"]["value"] == readelf_qtversion(path));
    }
    CHECK(uses == expected.needs);
    std::set<std::string> exports(file["exports"].begin(), file["exports"].end());
    CHECK(exports == expected.definitions);
  }
}

TEST_CASE("the Qt version read from Qt's own libraries is their package's", "[qt]") {
  require_tool("readelf", "binutils");
  std::size_t libraries = 0;
  for (const FixtureFile &f : fixture_files()) {
    INFO(f.path);
    nlohmann::json doc = json_of({"--json", fixture("qt/" + f.path)});
    const nlohmann::json &file = doc["files"][0];
    if (file["exports"].empty())
      continue;
    ++libraries;
    CHECK(file["version"]["value"] == upstream(f.version));
    CHECK(file["version"]["source"] == "qtversion-section");
    CHECK(doc["value"] == upstream(f.version));
  }
  CHECK(libraries >= 4); // QuickShapes, EglFsKmsSupport, two Qt 6 plugins
  std::map<std::string, std::string> expected = {
      {"libqt5quickshapes5", "5.15.8"}, {"libqt5gui5", "5.15.8"},       {"libqt6gui6", "6.4.2"},
      {"fcitx5-frontend-qt5", "none"},  {"fcitx5-frontend-qt6", "none"}, {"qml-module-qtquick-shapes", "none"}};
  for (const auto &[package, value] : expected) {
    Run r = abitag_qt({fixture("qt/" + package)});
    CHECK(r.exit_code == 0);
    CHECK(r.out == value + "\n");
  }
  CHECK(abitag_qt({fixture("qt")}).out == "5.15.8,6.4.2\n");
}

TEST_CASE("abitag qt --check: a user of QuickShapes' private API matches it, then breaks on another 5.15.x", "[qt]") {
  require_tool("readelf", "binutils");
  TempDir root;
  install_fixtures(root.path(), {"libqt5quickshapes5", "qml-module-qtquick-shapes"});
  std::string plugin = root.path() + "/usr/lib/x86_64-linux-gnu/qt5/qml/QtQuick/Shapes/libqmlshapesplugin.so";
  std::string library = root.path() + "/usr/lib/x86_64-linux-gnu/libQt5QuickShapes.so.5.15.8";
  Run fine = abitag_qt({"--check", "--root", root.path(), plugin});
  CHECK(fine.exit_code == 0);
  CHECK(fine.out.empty());
  CHECK(fine.err.empty());

  // Debian's version definitions carry no version (Qt_5_PRIVATE_API), so the
  // library becomes 5.15.7 where Qt records it: QT_VERSION in .qtversion.
  std::string bytes = read_file(library);
  std::uint64_t at = section_offset(library, ".qtversion") + 8;
  REQUIRE(bytes.substr(at, 3) == std::string("\x08\x0f\x05", 3));
  bytes[at] = '\x07';
  write_file(library, bytes);
  REQUIRE(readelf_qtversion(library) == "5.15.7");
  Run broken = abitag_qt({"--check", "--root", root.path(), plugin});
  CHECK(broken.exit_code == 1);
  CHECK(broken.out == plugin + ": broken: built against Qt 5.15.8 (qtversion-section), but libQt5QuickShapes.so.5 "
                               "(/usr/lib/x86_64-linux-gnu/libQt5QuickShapes.so.5.15.8) is Qt 5.15.7 (qtversion-section)\n");
  nlohmann::json doc = json_of({"--check", "--json", "--root", root.path(), plugin});
  const nlohmann::json &finding = doc["files"][0]["findings"][0];
  CHECK(finding["severity"] == "broken");
  CHECK(finding["built_against"]["value"] == "5.15.8");
  CHECK(finding["installed"]["value"] == "5.15.7");
  CHECK(finding["provider"] == "/usr/lib/x86_64-linux-gnu/libQt5QuickShapes.so.5.15.8");
}

TEST_CASE("abitag qt --check: a provider that is not installed leaves its users at risk", "[qt]") {
  TempDir root;
  install_fixtures(root.path(), {"fcitx5-frontend-qt5"});
  Run r = abitag_qt({"--check", "--root", root.path(), root.path()});
  CHECK(r.exit_code == 0);
  std::vector<std::string> out = lines(r.out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].find("libfcitx5platforminputcontextplugin.so: at risk: libQt5Gui.so.5 (needed for "
                    "Qt_5_PRIVATE_API) is not found") != std::string::npos);
}
