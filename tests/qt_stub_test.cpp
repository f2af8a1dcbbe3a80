// SPDX-License-Identifier: MIT
// abitag qt on what Debian 12 does not ship, built with gcc at test time:
// full-version private tags (-DFEATURE_elf_private_full_version=ON), Qt 6's
// QtPrivate_M_m_p names, a private symbol gone, a provider found through
// $ORIGIN, QtCore's build string. Where the loader can say it, it is run on
// the same files and must agree with --check. Bad input gets one line.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

// `abitag qt ARGS`.
Run abitag_qt(std::vector<std::string> args) {
  args.insert(args.begin(), "qt");
  return run(abitag_binary(), args);
}

// Builds the shared library PATH with soname SONAME from the C SOURCE, its
// symbols sorted into versions by the version SCRIPT.
void build_library(const std::string &path, const std::string &soname, const std::string &source,
                   const std::string &script) {
  require_tool("cc", "gcc");
  fs::create_directories(fs::path(path).parent_path());
  write_file(path + ".c", source);
  write_file(path + ".map", script);
  Run cc = run("cc", {"-shared", "-fPIC", "-Wl,-soname," + soname, "-Wl,--version-script=" + path + ".map", "-o",
                      path, path + ".c"});
  INFO(cc.err);
  REQUIRE(cc.exit_code == 0);
  fs::remove(path + ".c");
  fs::remove(path + ".map");
}

// Builds the program PATH from SOURCE, linked against LIBRARY.
void build_program(const std::string &path, const std::string &source, const std::string &library,
                   std::vector<std::string> options = {}) {
  fs::create_directories(fs::path(path).parent_path());
  write_file(path + ".c", source);
  std::vector<std::string> args = {"-o", path, path + ".c", library};
  args.insert(args.end(), options.begin(), options.end());
  Run cc = run("cc", args);
  INFO(cc.err);
  REQUIRE(cc.exit_code == 0);
  fs::remove(path + ".c");
}

// PROGRAM run with its libraries from LIBRARY_DIR, every symbol bound at start.
Run run_loaded(const std::string &program, const std::string &library_dir) {
  return run("env", {"LD_LIBRARY_PATH=" + library_dir, "LD_BIND_NOW=1", program});
}

const std::string kCallsPrivate = "int priv_fn(void);\nint main(void) { return priv_fn() == 1 ? 0 : 1; }\n";

} // namespace

TEST_CASE("a full-version private tag the library no longer defines: abitag qt --check and the loader agree",
          "[qt]") {
  TempDir root;
  std::string lib_dir = root.path() + "/usr/lib/x86_64-linux-gnu";
  std::string library = lib_dir + "/libQt5Stub.so.5", app = root.path() + "/usr/bin/app";
  build_library(library, "libQt5Stub.so.5", "int priv_fn(void) { return 1; }\n",
                "Qt_5.15.8_PRIVATE_API { priv_fn; };\nQt_5 { *; };\n");
  build_program(app, kCallsPrivate, library);
  CHECK(abitag_qt({library}).out == "5.15.8\n"); // from the tag: no .qtversion here
  Run fine = abitag_qt({"--check", "--root", root.path(), app});
  CHECK(fine.exit_code == 0);
  CHECK(fine.out.empty());
  CHECK(run_loaded(app, lib_dir).exit_code == 0);

  // The same library, its version definition renamed to 5.15.9 in place.
  write_file(library, [&] {
    std::string bytes = read_file(library);
    for (std::size_t at = bytes.find("Qt_5.15.8_PRIVATE_API"); at != std::string::npos;
         at = bytes.find("Qt_5.15.8_PRIVATE_API", at + 1))
      bytes[at + 8] = '9';
    return bytes;
  }());
  CHECK(abitag_qt({library}).out == "5.15.9\n");
  Run broken = abitag_qt({"--check", "--root", root.path(), app});
  CHECK(broken.exit_code == 1);
  CHECK(broken.out == app + ": broken: needs version Qt_5.15.8_PRIVATE_API of libQt5Stub.so.5 "
                            "(/usr/lib/x86_64-linux-gnu/libQt5Stub.so.5), which does not define it (it defines "
                            "Qt_5.15.9_PRIVATE_API)\n");
  Run loader = run_loaded(app, lib_dir);
  CHECK(loader.exit_code != 0);
  CHECK(loader.err.find("version `Qt_5.15.8_PRIVATE_API' not found") != std::string::npos);
}

TEST_CASE("a private symbol the library no longer exports is broken, an unknown version only at risk", "[qt]") {
  TempDir root;
  std::string lib_dir = root.path() + "/usr/lib/x86_64-linux-gnu";
  std::string library = lib_dir + "/libQt5Stub.so.5", app = root.path() + "/usr/bin/app";
  build_library(library, "libQt5Stub.so.5", "int priv_fn(void) { return 1; }\nint priv_fn2(void) { return 2; }\n",
                "Qt_5_PRIVATE_API { priv_fn; priv_fn2; };\nQt_5 { *; };\n");
  build_program(app, "int priv_fn(void); int priv_fn2(void);\nint main(void) { return priv_fn() + priv_fn2() - 3; }\n",
                library);
  Run risk = abitag_qt({"--check", "--root", root.path(), app});
  CHECK(risk.exit_code == 0); // at risk is not broken
  CHECK(risk.out == app + ": at risk: built against an unknown Qt version; libQt5Stub.so.5 "
                          "(/usr/lib/x86_64-linux-gnu/libQt5Stub.so.5) is an unknown Qt version\n");
  CHECK(run_loaded(app, lib_dir).exit_code == 0);

  build_library(library, "libQt5Stub.so.5", "int priv_fn(void) { return 1; }\n",
                "Qt_5_PRIVATE_API { priv_fn; };\nQt_5 { *; };\n");
  Run broken = abitag_qt({"--check", "--root", root.path(), app});
  CHECK(broken.exit_code == 1);
  CHECK(broken.out == app + ": broken: undefined symbol: priv_fn2, version Qt_5_PRIVATE_API in libQt5Stub.so.5 "
                            "(/usr/lib/x86_64-linux-gnu/libQt5Stub.so.5)\n");
  Run loader = run_loaded(app, lib_dir);
  CHECK(loader.exit_code != 0);
  CHECK(loader.err.find("undefined symbol: priv_fn2, version Qt_5_PRIVATE_API") != std::string::npos);
}

TEST_CASE("Qt 6's QtPrivate_M_m_p names say what a user was built against, with a provider found through $ORIGIN",
          "[qt]") {
  TempDir root;
  std::string lib_dir = root.path() + "/opt/app/lib", app = root.path() + "/opt/app/bin/app";
  const std::string constructor = "_ZN14QObjectPrivateC2E16QtPrivate_6_11_";
  auto provide = [&](const std::string &patch) {
    std::string real = lib_dir + "/libQt6Stub.so.6.11." + patch;
    build_library(real, "libQt6Stub.so.6",
                  "int ctor(void) __asm__(\"" + constructor + patch + "\");\nint ctor(void) { return 1; }\n",
                  "Qt_6_PRIVATE_API { " + constructor + patch + "; };\nQt_6 { *; };\n");
    fs::remove(lib_dir + "/libQt6Stub.so.6");
    fs::create_symlink("libQt6Stub.so.6.11." + patch, lib_dir + "/libQt6Stub.so.6");
  };
  provide("1");
  build_program(app, "int ctor(void) __asm__(\"" + constructor + "1\");\nint main(void) { return ctor() - 1; }\n",
                lib_dir + "/libQt6Stub.so.6", {"-Wl,-rpath,$ORIGIN/../lib"});
  nlohmann::json doc = nlohmann::json::parse(abitag_qt({"--json", app}).out);
  CHECK(doc["files"][0]["uses"][0]["built_against"] ==
        nlohmann::json({{"value", "6.11.1"}, {"source", "mangled-name"}}));
  Run fine = abitag_qt({"--check", "--root", root.path(), app});
  CHECK(fine.exit_code == 0);
  CHECK(fine.out.empty());

  provide("2"); // the next patch release renames the constructor
  Run broken = abitag_qt({"--check", "--root", root.path(), app});
  CHECK(broken.exit_code == 1);
  CHECK(broken.out == app + ": broken: undefined symbol: " + constructor + "1, version Qt_6_PRIVATE_API in "
                            "libQt6Stub.so.6 (/opt/app/lib/libQt6Stub.so.6.11.2)\n");
  Run loader = run("env", {"LD_BIND_NOW=1", app}); // its RUNPATH leads the loader there too
  CHECK(loader.exit_code != 0);
  CHECK(loader.err.find("undefined symbol: " + constructor + "1, version Qt_6_PRIVATE_API") != std::string::npos);
}

TEST_CASE("QtCore's version is its build string, taken only from a library that defines qt_version_tag", "[qt]") {
  TempDir dir;
  const std::string source =
      "const char build_string[] = \"Qt 5.15.9 (x86_64-little_endian-lp64 shared (dynamic) release build; by GCC "
      "12.2.0)\";\nconst char *qt_build(void) { return build_string; }\nint priv_fn(void) { return 1; }\n";
  std::string core = dir.path() + "/core/libQt5Core.so.5", other = dir.path() + "/other/libQt5Other.so.5";
  build_library(core, "libQt5Core.so.5", source + "int qt_version_tag = 0x050f09;\n",
                "Qt_5_PRIVATE_API { priv_fn; };\nQt_5.15 { qt_version_tag; };\nQt_5 { *; };\n");
  build_library(other, "libQt5Other.so.5", source, "Qt_5_PRIVATE_API { priv_fn; };\nQt_5 { *; };\n");
  nlohmann::json doc = nlohmann::json::parse(abitag_qt({"--json", core}).out);
  CHECK(doc["files"][0]["version"] == nlohmann::json({{"value", "5.15.9"}, {"source", "build-string"}}));
  CHECK(doc["files"][0]["private_symbols_exported"] == 1);
  CHECK(abitag_qt({other}).out == "unknown\n");
}

TEST_CASE("abitag qt: bad input gets one line and exit 3, and nothing of Qt is a value, not an error", "[qt]") {
  TempDir dir;
  std::string library = fixture("qt/libqt5quickshapes5/usr/lib/x86_64-linux-gnu/libQt5QuickShapes.so.5.15.8");
  std::string truncated = dir.path() + "/libQt5QuickShapes.so.5";
  write_file(truncated, read_file(library).substr(0, 100000));
  for (const std::vector<std::string> &mode : {std::vector<std::string>{}, {"--check"}, {"--json"}}) {
    std::vector<std::string> args = mode;
    args.push_back(truncated);
    Run r = abitag_qt(args);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err == "abitag: " + truncated +
                       ": section header table goes past the end of the file: e_shoff = 0x42238\n");
  }
  Run text = abitag_qt({fixture("qt/packages.tsv")});
  CHECK(text.exit_code == 3);
  CHECK(text.err == "abitag: " + fixture("qt/packages.tsv") + ": not an ELF file\n");

  fs::create_directories(dir.path() + "/empty");
  write_file(dir.path() + "/empty/README", "no ELF file here\n");
  Run none = abitag_qt({"--explain", dir.path() + "/empty"});
  CHECK(none.exit_code == 0);
  CHECK(none.out == "none\n");
  CHECK(none.err == "0 files export Qt's private API, 0 use it; 0 other ELF files, 1 other files skipped\n");
  Run unchecked = abitag_qt({"--check", dir.path() + "/empty"});
  CHECK(unchecked.exit_code == 0);
  CHECK(unchecked.out.empty());
}
