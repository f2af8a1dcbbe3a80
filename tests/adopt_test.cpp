// SPDX-License-Identifier: MIT
// abitag adopt through the binary, on a temporary root with a dpkg database
// and a C++ library and two programs built here: tags and locks from the
// files alone, idempotence, --dry-run, --json, and a dual-ABI rebuild that
// check then names exactly. Then the dpkg hook (hooks/dpkg) with the real
// dpkg: .deb packages built with dpkg-deb, installed, upgraded and removed
// under --root, with the hook as dpkg's pre- and post-invoke, as
// hooks/dpkg/abitag-dpkg.cfg sets it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "tests/adopt_support.h"
#include "tests/sbcl_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const char *kLibrary = "#include <string>\nstd::string greet(const std::string &who) { return \"hi \" + who; }\n";
const char *kProgram =
    "#include <string>\nstd::string greet(const std::string &who);\nint main() { return greet(\"x\").empty(); }\n";

// A root with a dpkg database: libfoo1 (libfoo.so.1, C++ in its interface),
// prog-a and prog-b linked against it.
struct CxxRoot {
  TempDir dir;
  std::string root = dir.path() + "/root";
  std::string db = dir.path() + "/tags.db";
  std::string library = root + "/usr/lib/x86_64-linux-gnu/libfoo.so.1";

  CxxRoot() {
    require_tool("g++", "g++");
    fs::create_directories(root + "/usr/lib/x86_64-linux-gnu");
    fs::create_directories(root + "/usr/bin");
    write_file(dir.path() + "/foo.cpp", kLibrary);
    write_file(dir.path() + "/prog.cpp", kProgram);
    build_library(false);
    for (const char *program : {"prog-a", "prog-b"})
      compile({"-o", root + "/usr/bin/" + program, dir.path() + "/prog.cpp", library});
    write_dpkg_database(root, {{"libfoo1", {"/usr/lib/x86_64-linux-gnu/libfoo.so.1"}},
                               {"prog-a", {"/usr/bin/prog-a"}},
                               {"prog-b", {"/usr/bin/prog-b"}}});
  }

  void compile(std::vector<std::string> args) {
    Run r = run("g++", args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  void build_library(bool old_abi) {
    std::vector<std::string> args = {"-shared", "-fPIC", "-O2", "-Wl,-soname,libfoo.so.1", "-o", library,
                                     dir.path() + "/foo.cpp"};
    if (old_abi)
      args.insert(args.begin(), "-D_GLIBCXX_USE_CXX11_ABI=0");
    fs::remove(library); // a new file, as a package manager installs one
    compile(args);
  }
  Run abitag(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db});
    return run(abitag_binary(), args);
  }
};

struct DpkgRoot {
  TempDir dir;
  std::string root = dir.path() + "/root";
  std::string db = root + "/var/lib/abitag/tags.db";
  std::string hook = std::string(ABITAG_SOURCE) + "/hooks/dpkg/abitag-dpkg-hook";

  DpkgRoot() {
    require_tool("dpkg", "dpkg");
    require_tool("dpkg-deb", "dpkg");
    require_tool("g++", "g++");
    fs::create_directories(root + "/var/lib/dpkg/info");
    fs::create_directories(root + "/var/lib/dpkg/updates");
    write_file(root + "/var/lib/dpkg/status", "");
    write_file(dir.path() + "/foo.cpp", kLibrary);
    write_file(dir.path() + "/prog.cpp", kProgram);
  }
  void ok(const std::string &program, const std::vector<std::string> &args) {
    Run r = run(program, args);
    INFO(program << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  }
  // A .deb of PACKAGE at VERSION holding FILE (under the package's tree) built by BUILD.
  std::string deb(const std::string &package, const std::string &version, const std::string &file,
                  std::vector<std::string> build) {
    std::string tree = dir.path() + "/" + package + "-" + version;
    fs::create_directories(tree + "/DEBIAN");
    fs::create_directories(fs::path(tree + file).parent_path());
    write_file(tree + "/DEBIAN/control", "Package: " + package + "\nVersion: " + version +
                                             "\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: t\n");
    build.insert(build.end(), {"-o", tree + file});
    ok("g++", build);
    ok("dpkg-deb", {"-Zgzip", "--build", tree, tree + ".deb"});
    return tree + ".deb";
  }
  void dpkg(std::vector<std::string> args) {
    args.insert(args.begin(), {"ABITAG=" + abitag_binary(), "dpkg", "--root=" + root, "--log=/dev/null",
                               "--pre-invoke=" + hook + " pre", "--post-invoke=" + hook + " post"});
    ok("env", args);
  }
  Run abitag(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db});
    return run(abitag_binary(), args);
  }
};

// RUNTIME, an SBCL runtime of build ID, installed at PATH as a runtime of
// another build: its build_id string changed, as the fixtures' patched core.
void install_another_build(const std::string &path, std::string runtime, const std::string &id) {
  std::size_t at = runtime.find(id + '\0');
  REQUIRE(at != std::string::npos);
  runtime[at] = 'X';
  fs::remove(path); // a new file, as a package manager installs one
  write_file(path, runtime);
}

} // namespace

TEST_CASE("adopt: a C++ library and two programs then a dual-ABI rebuild that check names exactly",
          "[adopt]") {
  CxxRoot r;
  Run dry = r.abitag({"adopt", r.root, "--dry-run"});
  REQUIRE(dry.exit_code == 0);
  CHECK(lines(dry.out) == std::vector<std::string>{
                              "tag libfoo1 cxxabi libstdc++-cxx11",
                              "tag libfoo1 sonames libfoo.so.1",
                              "tag prog-a cxxabi libstdc++-cxx11",
                              "tag prog-b cxxabi libstdc++-cxx11",
                              "lock prog-a libfoo1 cxxabi libstdc++-cxx11",
                              "lock prog-a libfoo1 sonames libfoo.so.1",
                              "lock prog-b libfoo1 cxxabi libstdc++-cxx11",
                              "lock prog-b libfoo1 sonames libfoo.so.1",
                          });
  CHECK(!fs::exists(r.db)); // a dry run makes no store

  nlohmann::json first = adopt_json(r.root, r.db);
  CHECK(first["tags"].size() == 4);
  CHECK(first["locks"].size() == 4);
  CHECK(r.abitag({"check", "--root", r.root}).exit_code == 0);
  // The tags record their arguments: the audit computes them again.
  Run shown = r.abitag({"export"});
  CHECK(shown.out.find("/usr/bin/prog-a") != std::string::npos);

  SECTION("adopting again changes nothing") {
    nlohmann::json again = adopt_json(r.root, r.db);
    CHECK(again["tags"].empty());
    CHECK(again["locks"].empty());
    CHECK(again["unchanged_tags"] == 4);
    CHECK(again["kept_locks"] == 4);
    CHECK(r.abitag({"export"}).out == shown.out); // not even a time changed
  }

  SECTION("the library rebuilt with the old ABI and adopted alone: check names both programs and nothing else") {
    r.build_library(true);
    nlohmann::json rebuilt = adopt_json(r.root, r.db, {"--package", "libfoo1"});
    CHECK(rebuilt["adopted"] == nlohmann::json::array({"libfoo1"}));
    REQUIRE(rebuilt["tags"].size() == 1);
    CHECK(rebuilt["tags"][0]["value"] == "libstdc++-old");
    Run check = r.abitag({"check", "--root", r.root, "--format", "lines"});
    CHECK(check.exit_code == 1);
    CHECK(lines(check.out) == std::vector<std::string>{"prog-a", "prog-b"});
    // A whole adopt afterwards keeps the programs' locks: still stale.
    CHECK(adopt_json(r.root, r.db)["locks"].empty());
    CHECK(r.abitag({"check", "--root", r.root}).exit_code == 1);
    // The programs rebuilt and adopted: clean again.
    nlohmann::json relocked = adopt_json(r.root, r.db, {"--package", "prog-a", "--package", "prog-b"});
    CHECK(relocked["locks"].size() == 2);
    CHECK(r.abitag({"check", "--root", r.root}).exit_code == 0);
  }
}

TEST_CASE("adopt: locks no longer true are dropped on re-adoption and said so", "[adopt]") {
  CxxRoot r;
  adopt_json(r.root, r.db);
  // prog-a rebuilt without the library: its two locks on libfoo1 go.
  write_file(r.dir.path() + "/plain.cpp", "int main() { return 0; }\n");
  fs::remove(r.root + "/usr/bin/prog-a");
  r.compile({"-o", r.root + "/usr/bin/prog-a", r.dir.path() + "/plain.cpp"});
  Run dropped = r.abitag({"adopt", r.root, "--package", "prog-a"});
  CHECK(dropped.exit_code == 0);
  CHECK(lines(dropped.out) == std::vector<std::string>{
                                  "drop prog-a libfoo1 sonames libfoo.so.1: its files no longer need libfoo1's sonames",
                                  "drop prog-a libfoo1 cxxabi libstdc++-cxx11: its files no longer need libfoo1's cxxabi",
                              });
  CHECK(r.abitag({"show", "prog-a"}).out.find("lock ") == std::string::npos);
  CHECK(adopt_json(r.root, r.db, {"--package", "prog-a"})["dropped_locks"].empty()); // once

  // An exlib's lock on a cxxabi tag with no link beside it (a header-only
  // dependency) is not adopt's to drop.
  REQUIRE(r.abitag({"lock", "prog-a", "libfoo1", "cxxabi", "libstdc++-cxx11"}).exit_code == 0);
  CHECK(adopt_json(r.root, r.db, {"--package", "prog-a"})["dropped_locks"].empty());

  // libfoo1 removed from the database (its hook did not run): prog-b's locks
  // on it go with the next adoption of prog-b.
  write_dpkg_database(r.root, {{"prog-a", {"/usr/bin/prog-a"}}, {"prog-b", {"/usr/bin/prog-b"}}});
  nlohmann::json gone = adopt_json(r.root, r.db);
  std::vector<std::string> reasons;
  for (const nlohmann::json &lock : gone["dropped_locks"])
    reasons.push_back(lock["package"].get<std::string>() + " " + lock["key"].get<std::string>() + ": " +
                      lock["reason"].get<std::string>());
  std::sort(reasons.begin(), reasons.end());
  CHECK(reasons == std::vector<std::string>{"prog-a cxxabi: libfoo1 is no longer installed",
                                            "prog-b cxxabi: libfoo1 is no longer installed",
                                            "prog-b sonames: libfoo1 is no longer installed"});
}

TEST_CASE("adopt: a package whose files are gone and a name not installed are reported and the others adopted",
          "[adopt]") {
  CxxRoot r;
  std::string status = read_file(r.root + "/var/lib/dpkg/status");
  write_file(r.root + "/var/lib/dpkg/status",
             status + "Package: gone\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n");
  write_file(r.root + "/var/lib/dpkg/info/gone.list", "/.\n/usr\n/usr/bin\n/usr/bin/gone\n");
  Run all = r.abitag({"adopt", r.root});
  CHECK(all.exit_code == 3);
  CHECK(all.err == "abitag: gone: its files are gone (1 listed, none on disk)\n");
  CHECK(r.abitag({"show", "prog-a"}).exit_code == 0);
  CHECK(r.abitag({"show", "gone"}).exit_code == 3);

  Run named = r.abitag({"adopt", r.root, "--package", "no-such-package"});
  CHECK(named.exit_code == 3);
  CHECK(named.err == "abitag: no-such-package: not installed under " + r.root + "\n");
}

namespace {

// Where the GHC tests register units, and two of tests/fixtures/ghc/db-good.
const std::string kConfD = "/var/lib/ghc/package.conf.d/";
const std::string kTinylib = "tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s.conf";
const std::string kUselib = "uselib-1.0-6jXPC3HTHPfLtmaLnV87TF.conf";

// Copies the units GOOD of ghc/db-good and DEBIAN of ghc/debian-global into ROOT's kConfD.
void install_units(const std::string &root, const std::vector<std::string> &good,
                   const std::vector<std::string> &debian) {
  fs::create_directories(root + kConfD);
  for (const std::string &conf : good)
    fs::copy_file(fixture("ghc/db-good/" + conf), root + kConfD + conf);
  for (const std::string &conf : debian)
    fs::copy_file(fixture("ghc/debian-global/" + conf), root + kConfD + conf);
}

} // namespace

// A tag per GHC unit, keyed by its name, and locks per unit: Debian's ghc
// package registers base and some thirty more, and rts.conf, which has no
// ABI hash.
TEST_CASE("adopt: GHC units tagged and locked on one by one, rts.conf left out, and rebuilds changing an abi",
          "[adopt][ghc]") {
  TempDir dir;
  std::string root = dir.path() + "/root", db = dir.path() + "/tags.db";
  const std::string &conf_d = kConfD, &tinylib = kTinylib, &uselib = kUselib;
  const std::vector<std::string> twolib = {"twolib-0.2.0-5b25lSRGE9gFBaoA0k3FCe.conf",
                                           "twolib-0.2.0-8FpzfYs13ClA3n8z4aSyz5-twolib-internal.conf"};
  const std::vector<std::string> ghc = {"base-4.15.1.0.conf", "ghc-prim-0.7.0.conf", "rts.conf"};
  install_units(root, {tinylib, uselib, twolib[0], twolib[1]}, ghc);
  write_dpkg_database(root, {{"ghc", {conf_d + ghc[0], conf_d + ghc[1], conf_d + ghc[2]}},
                             {"libghc-tinylib-dev", {conf_d + tinylib}},
                             {"libghc-uselib-dev", {conf_d + uselib}},
                             {"libghc-twolib-dev", {conf_d + twolib[0], conf_d + twolib[1]}}});
  const std::string base = "base-4.15.1.0:6a406ebaf745e21c23112ab11c065ffc";
  const std::string tiny = "tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s:e7b1f9d6eef442698aa888701e2ef5ff";
  const std::string two = "twolib-0.2.0-5b25lSRGE9gFBaoA0k3FCe:d5399e04a2de241ea6a6c30d5529181b";
  Run dry = run(abitag_binary(), {"adopt", root, "--dry-run", "--db", db});
  CHECK(dry.exit_code == 0);
  CHECK(dry.err.empty()); // rts.conf is said only with --verbose
  // The values are what `abitag ghc --tag` prints (--all for the sub-library);
  // uselib depends on base, tinylib and twolib's main library; twolib's main
  // library on its own internal one: no lock on itself.
  CHECK(lines(dry.out) ==
        std::vector<std::string>{
            "tag ghc ghc:base " + base,
            "tag ghc ghc:ghc-prim ghc-prim-0.7.0:65cf566fc7857e853fd743a9b00834d7",
            "tag libghc-tinylib-dev ghc:tinylib " + tiny,
            "tag libghc-twolib-dev ghc:twolib " + two,
            "tag libghc-twolib-dev ghc:twolib:twolib-internal "
            "twolib-0.2.0-8FpzfYs13ClA3n8z4aSyz5-twolib-internal:c92584e32556da780ede1f8d8a8988be",
            "tag libghc-uselib-dev ghc:uselib uselib-1.0-6jXPC3HTHPfLtmaLnV87TF:a19f474e67f9c6fa90c99fe10495c9d3",
            "lock libghc-tinylib-dev ghc ghc:base " + base,
            "lock libghc-twolib-dev ghc ghc:base " + base,
            "lock libghc-uselib-dev ghc ghc:base " + base,
            "lock libghc-uselib-dev libghc-tinylib-dev ghc:tinylib " + tiny,
            "lock libghc-uselib-dev libghc-twolib-dev ghc:twolib " + two,
        });
  Run verbose = run(abitag_binary(), {"adopt", root, "--verbose", "--db", db});
  CHECK(verbose.exit_code == 0);
  CHECK(verbose.err == "ghc: " + conf_d + "rts.conf: left out by ghc: no abi field, which --tag needs (id rts: GHC's "
                                          "runtime system, C code with no Haskell interface to hash)\n");
  // --json lists the same per package.
  CHECK(adopt_json(root, db, {"--dry-run"})["left_out"] ==
        nlohmann::json{{"ghc",
                        {{{"path", conf_d + "rts.conf"},
                          {"analyzer", "ghc"},
                          {"reason", "no abi field, which --tag needs (id rts: GHC's runtime system, C code with "
                                     "no Haskell interface to hash)"}}}}});
  // The tag of a unit is what `abitag ghc --tag` computes again; rts.conf it refuses, naming why.
  CHECK(run(abitag_binary(), {"ghc", "--tag", root + conf_d + tinylib}).out == tiny + "\n");
  Run rts = run(abitag_binary(), {"ghc", "--tag", root + conf_d + "rts.conf"});
  CHECK(rts.exit_code == 3);
  CHECK(rts.err.find("rts.conf: no abi field, which --tag needs (id rts: GHC's runtime system") != std::string::npos);
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);

  auto rebuild = [&](const std::string &conf, const std::string &abi, const std::string &new_abi) {
    std::string text = read_file(root + conf_d + conf);
    std::size_t at = text.find(abi);
    REQUIRE(at != std::string::npos);
    text.replace(at, abi.size(), new_abi);
    write_file(root + conf_d + conf, text);
  };
  // twolib's internal library alone rebuilt with another abi: nobody else depends on it.
  rebuild(twolib[1], "c92584e32556da780ede1f8d8a8988be", "00000000000000000000000000000001");
  CHECK(adopt_json(root, db, {"--package", "libghc-twolib-dev"})["tags"].size() == 1);
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);

  // The rebuild kept the unit id and changed the abi hash (tests/fixtures/ghc/tinylib-rebuilt).
  rebuild(tinylib, "e7b1f9d6eef442698aa888701e2ef5ff", "95a09e9fce30b8741b608160113fc723");
  adopt_json(root, db, {"--package", "libghc-tinylib-dev"});
  Run check = run(abitag_binary(), {"check", "--db", db, "--root", root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"libghc-uselib-dev"}); // not twolib
  adopt_json(root, db, {"--package", "libghc-uselib-dev"});

  // base rebuilt: every package built against it, dependencies first.
  rebuild(ghc[0], "6a406ebaf745e21c23112ab11c065ffc", "6a406ebaf745e21c23112ab11c065ff0");
  adopt_json(root, db, {"--package", "ghc"});
  check = run(abitag_binary(), {"check", "--db", db, "--root", root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) ==
        std::vector<std::string>{"libghc-tinylib-dev", "libghc-twolib-dev", "libghc-uselib-dev"});
}

// A store from before the tags per unit holds locks on the plain ghc key
// (the whole package's units): adopting again, every package or the one
// named, puts the per-unit locks in their place.
TEST_CASE("adopt: a lock on the plain ghc key gives way to the per-unit locks on the same package, named or not",
          "[adopt][ghc]") {
  TempDir dir;
  std::string root = dir.path() + "/root", db = dir.path() + "/tags.db";
  const std::string &conf_d = kConfD, &tinylib = kTinylib, &uselib = kUselib;
  install_units(root, {tinylib, uselib}, {"base-4.15.1.0.conf", "ghc-prim-0.7.0.conf"});
  fs::create_directories(root + "/usr/share/doc/extra");
  write_file(root + "/usr/share/doc/extra/README", "not a GHC unit\n");
  write_dpkg_database(root, {{"ghc", {conf_d + "base-4.15.1.0.conf", conf_d + "ghc-prim-0.7.0.conf"}},
                             {"libghc-tinylib-dev", {conf_d + tinylib}},
                             {"libghc-uselib-dev", {conf_d + uselib}},
                             {"libghc-extra", {"/usr/share/doc/extra/README"}}});
  const std::string old_value = "ghc-units-before:0123";
  auto lock = [&](const std::string &package, const std::string &dependency) {
    Run r = run(abitag_binary(), {"lock", "--db", db, package, dependency, "ghc", old_value});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  };
  lock("libghc-tinylib-dev", "ghc");
  lock("libghc-uselib-dev", "ghc");
  lock("libghc-tinylib-dev", "libghc-extra"); // no unit of it is a dependency: not adopting's to replace

  // The whole system: tinylib's lock on ghc is replaced by ghc:base; the
  // one on libghc-extra, which adopting derives nothing in place of, stays.
  nlohmann::json whole = adopt_json(root, db);
  CHECK(whole["dropped_locks"] ==
        nlohmann::json{{{"package", "libghc-tinylib-dev"},
                        {"dependency", "ghc"},
                        {"key", "ghc"},
                        {"value", old_value},
                        {"reason", "replaced by its locks on ghc's units (ghc:NAME)"}},
                       {{"package", "libghc-uselib-dev"},
                        {"dependency", "ghc"},
                        {"key", "ghc"},
                        {"value", old_value},
                        {"reason", "replaced by its locks on ghc's units (ghc:NAME)"}}});
  const std::string base = "base-4.15.1.0:6a406ebaf745e21c23112ab11c065ffc";
  CHECK(shown("libghc-tinylib-dev", db) ==
        std::vector<std::string>{"libghc-tinylib-dev", "  tag  ghc:tinylib=tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s:"
                                                       "e7b1f9d6eef442698aa888701e2ef5ff (ghc)",
                                 "  lock ghc ghc:base=" + base, "  lock libghc-extra ghc=" + old_value});
  CHECK(adopt_json(root, db)["dropped_locks"].empty()); // done once

  // One package named: the same.
  lock("libghc-uselib-dev", "libghc-tinylib-dev");
  nlohmann::json named = adopt_json(root, db, {"--package", "libghc-uselib-dev"});
  REQUIRE(named["dropped_locks"].size() == 1);
  CHECK(named["dropped_locks"][0]["dependency"] == "libghc-tinylib-dev");
  CHECK(named["dropped_locks"][0]["reason"] == "replaced by its locks on libghc-tinylib-dev's units (ghc:NAME)");
  // Only the lock kept on libghc-extra, which has no ghc tag, is not
  // satisfied: tinylib, then uselib, built against it.
  Run check = run(abitag_binary(), {"check", "--db", db, "--root", root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"libghc-tinylib-dev", "libghc-uselib-dev"});
}

namespace {

// What Debian's python3 (the one scripts/setup installs) says of itself.
std::string ask_python(const std::string &code) {
  require_tool("python3", "python3");
  Run r = run("/usr/bin/python3", {"-c", code});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out.substr(0, r.out.find('\n'));
}

} // namespace

// This machine's interpreter copied into a root (its program, sysconfigdata
// and importlib, the files python --check reads of it) in one package, and
// the fixture extension module in another: the module's package is locked
// on the interpreter package's python tag; an interpreter of another SOABI
// in its place makes it stale, and nothing else.
TEST_CASE("adopt: a Python extension module locked on the SOABI of the interpreter that imports it", "[adopt][python]") {
  std::string stdlib = ask_python("import sysconfig; print(sysconfig.get_paths()['stdlib'])");
  std::string sysconfigdata = stdlib + "/" + ask_python("import sysconfig; print(sysconfig._get_sysconfigdata_name())") + ".py";
  std::string binary = ask_python("import sys, os; print(os.path.realpath(sys.executable))");
  std::string soabi = ask_python("import sysconfig; print(sysconfig.get_config_var('SOABI'))");
  std::string suffix = ask_python("import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))");
  std::string bootstrap = stdlib + "/importlib/_bootstrap_external.py";
  std::string extension = "/usr/lib/python3/dist-packages/spam" + suffix;
  TempDir dir;
  std::string root = dir.path() + "/root", db = dir.path() + "/tags.db";
  for (const std::string &file : {binary, sysconfigdata, bootstrap}) {
    fs::create_directories(fs::path(root + file).parent_path());
    fs::copy_file(file, root + file);
  }
  fs::create_directories(root + "/usr/lib/python3/dist-packages");
  fs::copy_file(fixture("python/spam" + suffix), root + extension);
  write_dpkg_database(root, {{"python3-minimal", {binary, sysconfigdata, bootstrap}}, {"python3-spam", {extension}}});

  nlohmann::json adopted = adopt_json(root, db);
  CHECK(adopted["locks"] == nlohmann::json{{{"package", "python3-spam"},
                                            {"dependency", "python3-minimal"},
                                            {"key", "python"},
                                            {"value", soabi}}});
  CHECK(shown("python3-minimal", db) == std::vector<std::string>{"python3-minimal", "  tag  cxxabi=compat (cxxabi)",
                                                                 "  tag  python=" + soabi + " (python)"});
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);
  CHECK(adopt_json(root, db)["locks"].empty()); // adopting again changes nothing

  // Another SOABI (its version digits changed wherever the program names
  // it, as in its suffix table), adopted as its package's hook would.
  std::string version = soabi.substr(8, soabi.find('-', 8) - 8); // "311" of cpython-311-x86_64-linux-gnu
  std::string other = "cpython-" + std::string(version.size(), '9') + soabi.substr(8 + version.size());
  std::string bytes = read_file(root + binary);
  std::size_t patched = 0;
  for (std::size_t at = bytes.find(soabi); at != std::string::npos; at = bytes.find(soabi, at), ++patched)
    bytes.replace(at, soabi.size(), other);
  REQUIRE(patched > 0);
  write_file(root + binary, bytes);
  nlohmann::json rebuilt = adopt_json(root, db, {"--package", "python3-minimal"});
  REQUIRE(rebuilt["tags"].size() == 1);
  CHECK(rebuilt["tags"][0]["value"] == other);
  Run check = run(abitag_binary(), {"check", "--db", db, "--root", root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"python3-spam"});
}

TEST_CASE("hooks dpkg: install then a dual-ABI upgrade of the library then removal through the real dpkg", "[hooks]") {
  DpkgRoot d;
  std::string library = "/usr/lib/x86_64-linux-gnu/libfoo.so.1";
  std::string built = d.dir.path() + "/libfoo1-1" + library;
  std::string lib1 = d.deb("libfoo1", "1", library,
                           {"-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", d.dir.path() + "/foo.cpp"});
  std::string prog = d.deb("prog-a", "1", "/usr/bin/prog-a", {d.dir.path() + "/prog.cpp", built});
  d.dpkg({"-i", lib1, prog});
  Run shown = d.abitag({"show", "prog-a"});
  CHECK(shown.out.find("lock libfoo1 cxxabi=libstdc++-cxx11") != std::string::npos);
  CHECK(shown.out.find("lock libfoo1 sonames=libfoo.so.1") != std::string::npos);
  CHECK(d.abitag({"check", "--root", d.root}).exit_code == 0);

  std::string lib2 = d.deb("libfoo1", "2", library,
                           {"-D_GLIBCXX_USE_CXX11_ABI=0", "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1",
                            d.dir.path() + "/foo.cpp"});
  d.dpkg({"-i", lib2});
  Run check = d.abitag({"check", "--root", d.root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"prog-a"});

  d.dpkg({"--remove", "prog-a"});
  CHECK(d.abitag({"show", "prog-a"}).exit_code == 3); // forgotten
  CHECK(d.abitag({"check", "--root", d.root}).exit_code == 0);
}

TEST_CASE("hooks dpkg: an abitag that fails never fails the dpkg run", "[hooks]") {
  DpkgRoot d;
  std::string lib1 = d.deb("libfoo1", "1", "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
                           {"-shared", "-fPIC", d.dir.path() + "/foo.cpp"});
  Run r = run("env", {"ABITAG=/nonexistent/abitag", "dpkg", "--root=" + d.root, "--log=/dev/null",
                      "--pre-invoke=" + d.hook + " pre", "--post-invoke=" + d.hook + " post", "-i", lib1});
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("/nonexistent/abitag") != std::string::npos);
}

TEST_CASE("adopt: an SBCL core locked on the build id of the runtime's package and a runtime rebuild",
          "[adopt][sbcl]") {
  skip_unless_tool("sbcl", "sbcl");
  TempDir dir;
  std::string root = dir.path() + "/root", db = dir.path() + "/tags.db";
  fs::create_directories(root + "/usr/bin");
  fs::create_directories(root + "/usr/lib/app");
  std::string runtime = read_file("/usr/bin/sbcl");
  write_file(root + "/usr/bin/sbcl", runtime);
  fs::copy_file(fixture("sbcl/plain.stub.core"), root + "/usr/lib/app/app.core");
  write_dpkg_database(root, {{"sbcl", {"/usr/bin/sbcl"}}, {"app", {"/usr/lib/app/app.core"}}});
  Run core_id = run(abitag_binary(), {"sbcl", fixture("sbcl/plain.stub.core")});
  REQUIRE(core_id.exit_code == 0);
  Run runtime_id = run(abitag_binary(), {"sbcl", "/usr/bin/sbcl"});
  if (runtime_id.out != core_id.out)
    skip("this machine's sbcl is not the build the fixtures were saved with");
  std::string id = lines(core_id.out).at(0);

  nlohmann::json first = adopt_json(root, db);
  REQUIRE(first["locks"].size() == 1);
  CHECK(first["locks"][0] == nlohmann::json({{"package", "app"}, {"dependency", "sbcl"}, {"key", "sbcl"}, {"value", id}}));
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);

  install_another_build(root + "/usr/bin/sbcl", runtime, id);
  adopt_json(root, db, {"--package", "sbcl"});
  Run check = run(abitag_binary(), {"check", "--db", db, "--root", root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"app"});
}

// An executable carries its own runtime: a tag and no lock on the sbcl
// package; a lock on the packages of the foreign libraries it reopens.
TEST_CASE("adopt: an SBCL executable tagged, locked on the library it reopens and not on the runtime's package",
          "[adopt][sbcl]") {
  require_sbcl();
  TempDir dir;
  std::string root = dir.path() + "/root", db = dir.path() + "/tags.db";
  std::string libdir = root + "/usr/lib/x86_64-linux-gnu";
  fs::create_directories(libdir);
  fs::create_directories(root + "/usr/bin");
  fs::create_directories(root + "/opt/app");
  write_file(dir.path() + "/foo.c", "int abitag_demo(void) { return 42; }\n");
  auto build_library = [&](const std::string &soname) {
    Run cc = run("cc", {"-shared", "-fPIC", "-Wl,-soname," + soname, "-o", libdir + "/" + soname, dir.path() + "/foo.c"});
    INFO(cc.err);
    REQUIRE(cc.exit_code == 0);
  };
  build_library("libfoo.so.1");
  std::string runtime = read_file(sbcl_runtime_path());
  write_file(root + "/usr/bin/sbcl", runtime);
  // Reopened by its soname, as the dynamic linker finds it in the root's default folders.
  save_image(dir, "root/opt/app/exe", {"ABITAG_EXECUTABLE=1", "ABITAG_LIBS=libfoo.so.1"},
             {"LD_LIBRARY_PATH=" + libdir});
  write_dpkg_database(root, {{"sbcl", {"/usr/bin/sbcl"}},
                             {"libfoo1", {"/usr/lib/x86_64-linux-gnu/libfoo.so.1"}},
                             {"app", {"/opt/app/exe"}}});
  std::string id = first_line(run(abitag_binary(), {"sbcl", sbcl_runtime_path()}).out);
  REQUIRE(!id.empty());

  Run dry = run(abitag_binary(), {"adopt", root, "--dry-run", "--db", db});
  CHECK(dry.exit_code == 0);
  CHECK(lines(dry.out) == std::vector<std::string>{
                              "tag app cxxabi compat",
                              "tag app sbcl " + id,
                              "tag libfoo1 cxxabi compat",
                              "tag libfoo1 sonames libfoo.so.1",
                              "tag sbcl cxxabi compat",
                              "tag sbcl sbcl " + id,
                              "lock app libfoo1 sonames libfoo.so.1",
                          });
  adopt_json(root, db);
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);

  // The sbcl package rebuilt (another build id): the executable still starts.
  install_another_build(root + "/usr/bin/sbcl", runtime, id);
  CHECK(adopt_json(root, db, {"--package", "sbcl"})["tags"].size() == 1);
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);

  // The library's soname bumped: the executable reopens a name no longer there.
  fs::remove(libdir + "/libfoo.so.1");
  build_library("libfoo.so.2");
  write_dpkg_database(root, {{"sbcl", {"/usr/bin/sbcl"}},
                             {"libfoo1", {"/usr/lib/x86_64-linux-gnu/libfoo.so.2"}},
                             {"app", {"/opt/app/exe"}}});
  adopt_json(root, db, {"--package", "libfoo1"});
  Run check = run(abitag_binary(), {"check", "--db", db, "--root", root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"app"});
}

TEST_CASE("adopt: an analyzer reads only the files it declares: no ld.so.conf.d file for ghc and no text for sbcl",
          "[adopt]") {
  TempDir dir;
  std::string root = dir.path() + "/root", db = dir.path() + "/tags.db";
  fs::create_directories(root + "/etc/ld.so.conf.d");
  fs::create_directories(root + "/usr/share/doc/sbcl");
  write_file(root + "/etc/ld.so.conf.d/x86_64-linux-gnu.conf", "/usr/lib/x86_64-linux-gnu\n");
  // Debian's sbcl documentation starts with the cores' magic.
  write_file(root + "/usr/share/doc/sbcl/BUGS", "SBCL uses the bug tracker at Launchpad\n");
  write_dpkg_database(root, {{"libc6", {"/etc/ld.so.conf.d/x86_64-linux-gnu.conf"}},
                             {"sbcl-doc", {"/usr/share/doc/sbcl/BUGS"}}});
  nlohmann::json adopted = adopt_json(root, db);
  CHECK(adopted["skipped"].empty());
  CHECK(adopted["tags"].empty());
}
