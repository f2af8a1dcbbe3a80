// SPDX-License-Identifier: MIT
// abitag preview through the binary: a C++ library installed with two
// dependants in a root with a dpkg database, and images of new builds of it
// (the other dual ABI, a bumped soname, a removed function, a removed
// symbol version, an added function). Each verdict is compared with what
// ldd -r says once the image is really merged over a copy of the root. Then
// the pacman fixture packages installed by the real pacman, a damaged file
// in an image, and bad input.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "tests/adopt_support.h"
#include "tests/audit_image.h"
#include "tests/packages_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const char *kLibrary = R"(#include <string>
namespace pv {
int add(int a, int b) { return a + b; }
std::string name(const std::string &who) { return "pv " + who; }
#ifndef PV_NO_TWICE
int twice(int a) { return 2 * a; }
#endif
int thrice(int a) { return 3 * a; }
#ifdef PV_HALF
int half(int a) { return a / 2; }
#endif
}
)";
// PV_1.1 holds twice and thrice: without twice it is still there.
const char *kVersions = R"(PV_1.0 { global: extern "C++" { pv::add*; pv::name*; }; local: *; };
PV_1.1 { global: extern "C++" { pv::twice*; pv::thrice*; }; } PV_1.0;
PV_1.2 { global: extern "C++" { pv::half*; }; } PV_1.1;
)";
const char *kOneVersion = R"(PV_1.0 { global: extern "C++" { pv::*; }; local: *; };
)";
const char *kUsesName = R"(#include <string>
namespace pv { int add(int, int); std::string name(const std::string &); }
int main() { return pv::name("x").size() == 4 ? pv::add(0, 0) : 1; }
)";
const char *kUsesTwice = R"(namespace pv { int add(int, int); int twice(int); }
int main() { return pv::add(pv::twice(1), -2); }
)";

const std::string kLib = "/usr/lib/libpv.so.1.0";
const std::string kLink = "/usr/lib/libpv.so.1";
const std::string kUsesNamePath = "/usr/bin/uses-name";
const std::string kUsesTwicePath = "/usr/bin/uses-twice";

// One build of the library: its defines, version script and soname.
struct Build {
  std::string name;
  std::vector<std::string> defines;
  std::string versions = kVersions;
  int soname = 1;
};

void compile(const std::vector<std::string> &args) {
  Run r = run("g++", args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// Builds BUILD into TREE/usr/lib as a package installs it: the file and
// its soname link.
void build_library(const std::string &work, const std::string &tree, const Build &build) {
  std::string so = "libpv.so." + std::to_string(build.soname);
  fs::create_directories(tree + "/usr/lib");
  write_file(work + "/pv.map", build.versions);
  std::vector<std::string> args = build.defines;
  args.insert(args.end(), {"-shared", "-fPIC", "-O2", "-Wl,-soname," + so, "-Wl,--version-script=" + work + "/pv.map",
                           "-o", tree + "/usr/lib/" + so + ".0", work + "/pv.cpp"});
  compile(args);
  fs::create_symlink(so + ".0", tree + "/usr/lib/" + so);
}

// The root: the runtime, the library (package libpv1) and its two
// dependants (uses-name, uses-twice), found through RUNPATH $ORIGIN/../lib
// so that the host's ldd finds them in a copy of the root too.
struct PreviewRoot {
  TempDir dir;
  std::string root;

  PreviewRoot() {
    require_tool("g++", "g++");
    root = make_audit_image(dir, "clean");
    write_file(dir.path() + "/pv.cpp", kLibrary);
    write_file(dir.path() + "/uses-name.cpp", kUsesName);
    write_file(dir.path() + "/uses-twice.cpp", kUsesTwice);
    build_library(dir.path(), root, {"installed", {}});
    for (const std::string &program : {kUsesNamePath, kUsesTwicePath})
      compile({"-O2", "-o", root + program, dir.path() + "/" + program.substr(9) + ".cpp", root + kLib,
               "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--enable-new-dtags"});
    write_dpkg_database(root, {{"libpv1", {"/usr/lib/libpv.so.1.0", "/usr/lib/libpv.so.1"}},
                               {"uses-name", {kUsesNamePath}},
                               {"uses-twice", {kUsesTwicePath}}});
  }

  std::string image_of(const Build &build) {
    std::string image = dir.path() + "/image-" + build.name;
    build_library(dir.path(), image, build);
    return image;
  }

  // ROOT copied, the replaced package's files IMAGE does not ship removed,
  // IMAGE copied over it: the merge, made.
  std::string merged(const std::string &image, const std::string &name) {
    std::string copy = dir.path() + "/merged-" + name;
    fs::copy(root, copy, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    for (const std::string &file : {kLib, kLink})
      if (!fs::exists(fs::symlink_status(image + file)))
        fs::remove(copy + file);
    for (const auto &entry : fs::recursive_directory_iterator(image)) {
      std::string target = copy + entry.path().string().substr(image.size());
      if (entry.is_directory() && !entry.is_symlink())
        continue;
      fs::remove(target);
      fs::copy(entry.path(), target, fs::copy_options::copy_symlinks);
    }
    return copy;
  }
};

nlohmann::json preview_json(const std::string &image, const std::string &root, int code,
                            std::vector<std::string> args = {}) {
  args.insert(args.begin(), {"preview", image, "--root", root, "--json"});
  Run r = run(abitag_binary(), args);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == code);
  return nlohmann::json::parse(r.out);
}

// The files the preview says will break, with the kinds of their findings.
std::map<std::string, std::set<std::string>> will_break(const nlohmann::json &report) {
  std::map<std::string, std::set<std::string>> out;
  for (const nlohmann::json &finding : report["findings"])
    if (finding["verdict"] == "will-break")
      out[finding["file"]].insert(finding["kind"].get<std::string>());
  return out;
}

// The dependants ldd -r finds broken in the merged root.
std::set<std::string> broken_by_ldd(const std::string &merged) {
  std::set<std::string> out;
  for (const std::string &program : {kUsesNamePath, kUsesTwicePath}) {
    LddVerdict verdict = ldd_verdict(merged + program);
    REQUIRE(verdict.ran);
    if (!verdict.not_found.empty() || !verdict.undefined.empty() || !verdict.missing_versions.empty())
      out.insert(program);
  }
  return out;
}

} // namespace

TEST_CASE("preview: new builds of a C++ library, each verdict as ldd -r finds it once merged",
          "[preview][ldd]") {
  PreviewRoot r;
  // Before anything: the installed dependants link.
  REQUIRE(broken_by_ldd(r.root).empty());
  struct Case {
    Build build;
    std::map<std::string, std::set<std::string>> expected;
  };
  std::vector<Case> cases = {
      {{"old-abi", {"-D_GLIBCXX_USE_CXX11_ABI=0"}}, {{kUsesNamePath, {"dual-abi-mismatch"}}}},
      {{"soname-2", {}, kVersions, 2},
       {{kUsesNamePath, {"library-taken-away"}}, {kUsesTwicePath, {"library-taken-away"}}}},
      {{"no-twice", {"-DPV_NO_TWICE"}}, {{kUsesTwicePath, {"symbols-removed"}}}},
      {{"one-version", {}, kOneVersion}, {{kUsesTwicePath, {"version-removed"}}}},
      {{"added-half", {"-DPV_HALF"}}, {}},
  };
  for (const Case &c : cases) {
    INFO("image " << c.build.name);
    std::string image = r.image_of(c.build);
    // A new soname ships none of the files of the package it replaces: the
    // package manager names it (the hooks do); the others are found by the
    // files they ship.
    std::vector<std::string> replaces;
    if (c.build.soname != 1)
      replaces = {"--replaces", "libpv1"};
    nlohmann::json report = preview_json(image, r.root, c.expected.empty() ? 0 : 1, replaces);
    INFO(report["findings"].dump(1));
    CHECK(will_break(report) == c.expected);
    CHECK(report["counts"]["broken-as-built"] == 0);
    REQUIRE(report["replaces"].size() == 1);
    CHECK(report["replaces"][0]["name"] == "libpv1");
    std::set<std::string> to_rebuild, expected_packages;
    for (const nlohmann::json &package : report["packages"])
      to_rebuild.insert(package["name"].get<std::string>());
    for (const auto &[file, kinds] : c.expected)
      expected_packages.insert(file.substr(9)); // each program is its own package
    CHECK(to_rebuild == expected_packages);

    std::set<std::string> expected_files;
    for (const auto &[file, kinds] : c.expected)
      expected_files.insert(file);
    CHECK(broken_by_ldd(r.merged(image, c.build.name)) == expected_files);
  }
  // The text report of an image that only adds says that nothing breaks.
  Run text = run(abitag_binary(), {"preview", r.dir.path() + "/image-added-half", "--root", r.root});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("Nothing breaks") != std::string::npos);
}

TEST_CASE("preview: the pacman fixture library rebuilt with the old dual ABI, then merged by the real pacman",
          "[preview][packages][pacman]") {
  require_tool("tar", "tar");
  require_tool("zstd", "zstd");
  TempDir dir;
  std::string root = make_audit_image(dir, "clean");
  pacman_install(root, {"libabidemo-1:1.0-1", "abidemo-1:1.0-1"});
  // The image of the new build: the package's files, without pacman's own.
  std::string image = dir.path() + "/staged";
  fs::create_directories(image);
  Run unpacked = run("tar", {"--zstd", "-xf", pacman_package("libabidemo-1:1.0-2"), "-C", image, "--exclude", ".*"});
  INFO(unpacked.err);
  REQUIRE(unpacked.exit_code == 0);

  nlohmann::json report = preview_json(image, root, 1);
  REQUIRE(report["replaces"].size() == 1);
  CHECK(report["replaces"][0]["name"] == "libabidemo");
  CHECK(will_break(report) == std::map<std::string, std::set<std::string>>{{"/usr/bin/abidemo", {"dual-abi-mismatch"}}});
  REQUIRE(report["packages"].size() == 1);
  CHECK(report["packages"][0]["name"] == "abidemo");
  CHECK(report["packages"][0]["version"] == "1:1.0-1");
  for (const auto &[format, command] : std::vector<std::pair<std::string, std::string>>{
           {"pacman", "pacman -S abidemo\n"}, {"lines", "abidemo\n"}}) {
    Run rebuild = run(abitag_binary(), {"preview", image, "--root", root, "--format", format});
    INFO(format << rebuild.err);
    CHECK(rebuild.exit_code == 1);
    CHECK(rebuild.out == command);
  }

  // The merge, by pacman itself: the program no longer finds its symbol.
  // (No RUNPATH in the fixture program: ldd is run with the root's folder.)
  pacman_install(root, {"libabidemo-1:1.0-2"});
  Run ldd = run("env", {"LD_LIBRARY_PATH=" + root + "/usr/lib", "ldd", "-r", root + "/usr/bin/abidemo"});
  CHECK((ldd.out + ldd.err).find("undefined symbol: _ZN7abidemo5greetERKNSt7__cxx1112basic_string") !=
        std::string::npos);
}

TEST_CASE("preview: a damaged file in the image is a finding, and the rest is still previewed", "[preview]") {
  PreviewRoot r;
  std::string image = r.image_of({"damaged", {"-DPV_NO_TWICE"}});
  // An ELF header and nothing after it: a program cut short.
  std::string library = read_file(image + kLib);
  fs::create_directories(image + "/usr/bin");
  write_file(image + "/usr/bin/cut-short", library.substr(0, 200));
  nlohmann::json report = preview_json(image, r.root, 1);
  bool damaged = false;
  for (const nlohmann::json &finding : report["findings"])
    if (finding["file"] == "/usr/bin/cut-short") {
      CHECK(finding["verdict"] == "broken-as-built");
      CHECK(finding["kind"] == "unreadable");
      damaged = true;
    }
  CHECK(damaged);
  CHECK(will_break(report) == std::map<std::string, std::set<std::string>>{{kUsesTwicePath, {"symbols-removed"}}});

  // A program no package owns is found with --whole-root only.
  fs::copy_file(r.root + kUsesTwicePath, r.root + "/usr/bin/unowned");
  CHECK(will_break(preview_json(image, r.root, 1)).count("/usr/bin/unowned") == 0);
  nlohmann::json whole = preview_json(image, r.root, 1, {"--whole-root"});
  CHECK(will_break(whole) == std::map<std::string, std::set<std::string>>{{kUsesTwicePath, {"symbols-removed"}},
                                                                          {"/usr/bin/unowned", {"symbols-removed"}}});
  CHECK(whole["orphans"] == nlohmann::json::array({"/usr/bin/unowned"}));
}

TEST_CASE("preview: bad input is one line and exit 3", "[preview]") {
  TempDir dir;
  std::string root = dir.path() + "/root";
  fs::create_directories(root + "/usr/lib");
  write_dpkg_database(root, {{"libpv1", {"/usr/lib/libpv.so.1"}}});
  write_file(dir.path() + "/file", "not a folder");
  fs::create_directories(dir.path() + "/image");

  Run file = run(abitag_binary(), {"preview", dir.path() + "/file", "--root", root});
  CHECK(file.exit_code == 3);
  CHECK(file.err == "abitag: " + dir.path() + "/file: not a folder (an image is a folder laid out like ROOT)\n");
  Run missing = run(abitag_binary(), {"preview", dir.path() + "/none", "--root", root});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err == "abitag: " + dir.path() + "/none: No such file or directory\n");
  Run not_installed = run(abitag_binary(), {"preview", dir.path() + "/image", "--root", root, "--replaces", "libqq9"});
  CHECK(not_installed.exit_code == 3);
  CHECK(not_installed.err == "abitag: libqq9: no package of that name is installed under the root\n");
  CHECK(not_installed.out.empty());
  // An empty image replaces nothing and breaks nothing.
  Run empty = run(abitag_binary(), {"preview", dir.path() + "/image", "--root", root});
  CHECK(empty.exit_code == 0);
  CHECK(empty.out.find("Nothing breaks") != std::string::npos);
}

TEST_CASE("preview: the locks on a tag the image changes will go stale", "[preview][tags]") {
  PreviewRoot r;
  std::string db = "/var/lib/abitag/tags.db";
  Run adopted = run(abitag_binary(), {"adopt", r.root, "--db", r.root + db});
  INFO(adopted.err);
  REQUIRE(adopted.exit_code == 0);
  Run shown = run(abitag_binary(), {"show", "--db", r.root + db});
  INFO(shown.out);

  // Adopting locked both programs on the library's cxxabi and sonames tags
  // (the locks are coarser than linking: uses-twice links either way).
  auto stale_of = [](const nlohmann::json &report) {
    std::set<std::string> stale;
    for (const nlohmann::json &finding : report["findings"])
      if (finding["verdict"] == "will-go-stale")
        stale.insert(finding["details"]["package"].get<std::string>() + " " +
                     finding["details"]["key"].get<std::string>());
    return stale;
  };
  nlohmann::json report = preview_json(r.image_of({"old-abi", {"-D_GLIBCXX_USE_CXX11_ABI=0"}}), r.root, 1);
  CHECK(stale_of(report) == std::set<std::string>{"uses-name cxxabi", "uses-twice cxxabi"});
  CHECK(report["stale_packages"] == nlohmann::json::array({"uses-name", "uses-twice"}));
  nlohmann::json bumped =
      preview_json(r.image_of({"soname-2", {}, kVersions, 2}), r.root, 1, {"--replaces", "libpv1"});
  CHECK(stale_of(bumped) == std::set<std::string>{"uses-name sonames", "uses-twice sonames"});

  // An added function changes no tag that anything is locked on.
  nlohmann::json added = preview_json(r.image_of({"added-half", {"-DPV_HALF"}}), r.root, 0);
  CHECK(added["counts"]["will-go-stale"] == 0);
}

// A GHC library rebuilt with another ABI hash: the packages locked on its
// unit's tag will go stale; nothing ELF is replaced, so nothing links anew.
TEST_CASE("preview: a GHC library whose rebuild changes its abi makes its locked dependants stale",
          "[preview][ghc][tags]") {
  TempDir dir;
  std::string root = dir.path() + "/root", db = "/var/lib/abitag/tags.db";
  const std::string conf_d = "/var/lib/ghc/package.conf.d/";
  const std::string tinylib = "tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s.conf";
  const std::string uselib = "uselib-1.0-6jXPC3HTHPfLtmaLnV87TF.conf";
  const std::string base = "base-4.15.1.0.conf";
  fs::create_directories(root + conf_d);
  for (const std::string &conf : {tinylib, uselib})
    fs::copy_file(fixture("ghc/db-good/" + conf), root + conf_d + conf);
  fs::copy_file(fixture("ghc/debian-global/" + base), root + conf_d + base);
  write_dpkg_database(root, {{"ghc", {conf_d + base}},
                             {"libghc-tinylib-dev", {conf_d + tinylib}},
                             {"libghc-uselib-dev", {conf_d + uselib}}});
  Run adopted = run(abitag_binary(), {"adopt", root, "--db", root + db});
  INFO(adopted.err);
  REQUIRE(adopted.exit_code == 0);

  // The image: the same unit, its abi changed by the rebuild.
  std::string image = dir.path() + "/image";
  fs::create_directories(image + conf_d);
  std::string text = read_file(root + conf_d + tinylib);
  const std::string abi = "e7b1f9d6eef442698aa888701e2ef5ff";
  std::size_t at = text.find(abi);
  REQUIRE(at != std::string::npos);
  write_file(image + conf_d + tinylib, text.replace(at, abi.size(), "00000000000000000000000000000001"));

  nlohmann::json report = preview_json(image, root, 1);
  REQUIRE(report["counts"]["will-go-stale"] == 1);
  CHECK(report["counts"]["will-break"] == 0);
  for (const nlohmann::json &finding : report["findings"])
    if (finding["verdict"] == "will-go-stale") {
      CHECK(finding["details"]["package"] == "libghc-uselib-dev");
      CHECK(finding["details"]["key"] == "ghc:tinylib");
      CHECK(finding["details"]["image"] == "tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s:00000000000000000000000000000001");
    }
  Run lines_format = run(abitag_binary(), {"preview", image, "--root", root, "--format", "lines"});
  CHECK(lines_format.exit_code == 1);
  CHECK(lines_format.out == "libghc-uselib-dev\n");
  // The same conf unchanged: nothing goes stale.
  write_file(image + conf_d + tinylib, read_file(root + conf_d + tinylib));
  CHECK(preview_json(image, root, 0)["counts"]["will-go-stale"] == 0);
}

// A tag recorded as the exlib's abitag_tag records it (the analyzer's own
// options, paths inside the root) is computed again as recorded, on its
// paths in the view of the merge; one that cannot be (cxxabi's default seed
// scheme hashes this machine's compiler) is a note, never stale.
TEST_CASE("preview: a tag recorded with its own options is run again as recorded on the image's files",
          "[preview][tags]") {
  PreviewRoot r;
  std::string db = r.root + "/var/lib/abitag/tags.db";
  auto ok = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    Run run = abitag::test::run(abitag_binary(), args);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    return lines(run.out).empty() ? std::string() : lines(run.out).front();
  };
  std::string value = ok({"tag", "libpv1", "cxxabi", "--scheme", "abi", "--root", r.root, r.root + kLib});
  ok({"lock", "uses-name", "libpv1", "cxxabi"});

  // Each image's value is what `abitag tag` records of the image's file.
  for (const Build &build : {Build{"old-abi", {"-D_GLIBCXX_USE_CXX11_ABI=0"}}, Build{"added-half", {"-DPV_HALF"}}}) {
    INFO("image " << build.name);
    std::string image = r.image_of(build);
    Run tagged = abitag::test::run(abitag_binary(), {"--db", r.dir.path() + "/scratch-" + build.name, "tag", "libpv1",
                                                      "cxxabi", "--scheme", "abi", "--root", image, image + kLib});
    REQUIRE(tagged.exit_code == 0);
    std::string image_value = lines(tagged.out).front();
    bool changes = image_value != value;
    CHECK(changes == (build.name == "old-abi"));
    nlohmann::json report = preview_json(image, r.root, changes ? 1 : 0);
    CHECK(report["counts"]["will-go-stale"] == (changes ? 1 : 0));
    for (const nlohmann::json &finding : report["findings"])
      if (finding["verdict"] == "will-go-stale") {
        CHECK(finding["details"]["package"] == "uses-name");
        CHECK(finding["details"]["locked"] == value);
        CHECK(finding["details"]["image"] == image_value);
      }
  }

  // The seed scheme: not computed again, a note.
  ok({"tag", "libpv1", "cxxabi", "--root", r.root, r.root + kLib});
  ok({"lock", "uses-name", "libpv1", "cxxabi"});
  nlohmann::json seeded = preview_json(r.dir.path() + "/image-added-half", r.root, 0);
  CHECK(seeded["counts"]["will-go-stale"] == 0);
  bool noted = false;
  for (const nlohmann::json &finding : seeded["findings"])
    if (finding["kind"] == "not-compared") {
      CHECK(finding["verdict"] == "note");
      CHECK(finding["reason"].get<std::string>().find("seed scheme") != std::string::npos);
      noted = true;
    }
  CHECK(noted);
}
