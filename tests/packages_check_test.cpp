// SPDX-License-Identifier: MIT
// `abitag check` against the package databases under --root: a lock held by,
// or on, a package the manager no longer lists as installed is a finding, and
// which store ids name an installed package follows the rule of
// packages/store_ids.h. Exherbo ids against the exndbam fixture root, dpkg
// ids against a dpkg root made here and judged by dpkg-query itself, pacman
// and rpm ids against roots the real pacman and rpm installed, judged by
// `pacman -Q` and `rpm -q`.
#include <filesystem>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/packages_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

// A tag store in a temporary folder, written through the real binary.
struct TagStore {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";

  void run_ok(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--db", db});
    Run r = run(abitag_binary(), args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  }
  Run check(const std::string &root, std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"check", "--db", db, "--root", root});
    return run(abitag_binary(), args);
  }
  // Each of IDS holds a lock on "anchor:0" (a store id no database here can
  // judge), whose tag is unchanged: what check reports of them is only
  // whether each is installed. The ids it finds not installed, with the
  // managers it names.
  std::set<std::string> not_installed(const std::string &root, const std::vector<std::string> &ids,
                                      const std::string &managers) {
    run_ok({"set", "anchor:0", "abi", "1"});
    for (const std::string &id : ids)
      run_ok({"lock", id, "anchor:0", "abi", "1"});
    Run r = check(root, {"--json"});
    INFO(r.err);
    REQUIRE(r.exit_code <= 1);
    nlohmann::json report = nlohmann::json::parse(r.out);
    std::set<std::string> out;
    for (const nlohmann::json &entry : report["stale"]) {
      CHECK(entry["reason"] == "holder-not-installed");
      CHECK(entry["not_installed_in"].dump() == managers);
      out.insert(entry["package"].get<std::string>());
    }
    CHECK(r.exit_code == (out.empty() ? 0 : 1));
    CHECK(report["rebuild"].empty()); // an uninstalled holder is not rebuilt
    return out;
  }
};

// The ids of IDS that a manager's own query (ids appended) says are not installed.
std::set<std::string> not_installed_by_tool(const std::string &program, const std::vector<std::string> &args,
                                            const std::vector<std::string> &ids) {
  std::set<std::string> out;
  for (const std::string &id : ids) {
    std::vector<std::string> query = args;
    query.push_back(id);
    if (run(program, query).exit_code != 0)
      out.insert(id);
  }
  return out;
}

// A dpkg database under ROOT: libfoo1:amd64 (Multi-Arch: same, so its list
// is libfoo1:amd64.list), prog (amd64) and prog-data (all).
void write_dpkg_root(const std::string &root) {
  fs::create_directories(root + "/var/lib/dpkg/info");
  fs::create_directories(root + "/var/lib/dpkg/updates");
  std::string status;
  auto add = [&](const std::string &name, const std::string &architecture, const std::string &multi_arch,
                 const std::string &list) {
    status += "Package: " + name + "\nStatus: install ok installed\nPriority: optional\nSection: libs\n"
              "Maintainer: abitag tests <tests@example.org>\nArchitecture: " + architecture + "\n" +
              (multi_arch.empty() ? "" : "Multi-Arch: " + multi_arch + "\n") +
              "Version: 1.0-1\nDescription: a test package\n\n";
    write_file(root + "/var/lib/dpkg/info/" + list + ".list", "/.\n/usr\n/usr/share\n/usr/share/" + name + "\n");
  };
  add("libfoo1", "amd64", "same", "libfoo1:amd64");
  add("prog", "amd64", "", "prog");
  add("prog-data", "all", "foreign", "prog-data");
  write_file(root + "/var/lib/dpkg/status", status);
}

std::string exndbam_root() { return fixture("packages/exndbam"); }

} // namespace

TEST_CASE("check: Exherbo ids against the exndbam root: slot, version, repository and bare CAT/PN forms",
          "[packages][check]") {
  // Installed there: app-arch/bzip2-1.0.8-r5:0, app-arch/libbz2-1.0.8:0,
  // app-arch/libbz2-1.0.6:legacy, dev-libs/broken-1.0:0.
  TagStore store;
  std::set<std::string> gone = store.not_installed(
      exndbam_root(),
      {"app-arch/bzip2:0", "app-arch/bzip2", "app-arch/libbz2:legacy", "=app-arch/libbz2-1.0.6:legacy::installed",
       "app-arch/libbz2-1.0.8", "app-arch/bzip2-1.0.8-r5:0", "dev-libs/broken:0", "app-arch/bzip2:1",
       "app-arch/libbz2-1.0.7:0", "app-arch/libbz2-1.0.8:legacy", "dev-libs/gone:0", "dev-libs/gone",
       // Not Exherbo-shaped: exndbam cannot judge them, so they count as installed.
       "plain", "libc6:amd64"},
      R"(["exndbam"])");
  CHECK(gone == std::set<std::string>{"app-arch/bzip2:1", "app-arch/libbz2-1.0.7:0", "app-arch/libbz2-1.0.8:legacy",
                                      "dev-libs/gone:0", "dev-libs/gone"});
}

TEST_CASE("check: held by and on uninstalled packages, in text, JSON, lines and cave, and exit codes",
          "[packages][check]") {
  TagStore store;
  // libbz2:0 and bzip2:0 are installed; dev-libs/gone:0 is not, though the
  // store still has its tag (its uninstall hook never ran).
  store.run_ok({"set", "app-arch/libbz2:0", "abi", "1"});
  store.run_ok({"set", "dev-libs/gone:0", "abi", "g"});
  store.run_ok({"lock", "app-arch/bzip2:0", "app-arch/libbz2:0", "abi"});
  store.run_ok({"lock", "app-arch/bzip2:0", "dev-libs/gone:0", "abi"});
  store.run_ok({"lock", "dev-libs/gone:0", "app-arch/libbz2:0", "abi"});
  std::string root = exndbam_root();

  Run text = store.check(root);
  CHECK(text.exit_code == 1);
  CHECK(text.out == "stale locks:\n"
                    "  dev-libs/gone:0: app-arch/libbz2:0 abi locked 1, held by dev-libs/gone:0, which is not "
                    "installed (exndbam)\n"
                    "  app-arch/bzip2:0: dev-libs/gone:0 abi locked g, on dev-libs/gone:0, which is not installed "
                    "(exndbam)\n"
                    "rebuild, dependencies first:\n"
                    "  app-arch/bzip2:0\n");

  nlohmann::json json = nlohmann::json::parse(store.check(root, {"--json"}).out);
  REQUIRE(json["stale"].size() == 2);
  CHECK(json["stale"][0]["reason"] == "holder-not-installed");
  CHECK(json["stale"][0]["package"] == "dev-libs/gone:0");
  CHECK(json["stale"][1]["reason"] == "dependency-not-installed");
  CHECK(json["stale"][1]["dependency"] == "dev-libs/gone:0");
  CHECK(json["stale"][1]["not_installed_in"] == nlohmann::json::array({"exndbam"}));
  CHECK(json["rebuild"] == nlohmann::json::array({"app-arch/bzip2:0"}));

  Run lines_format = store.check(root, {"--format", "lines"});
  CHECK(lines_format.exit_code == 1);
  CHECK(lines_format.out == "app-arch/bzip2:0\n");
  CHECK(lines_format.err.find("abitag: stale: dev-libs/gone:0: app-arch/libbz2:0 abi locked 1, held by "
                              "dev-libs/gone:0, which is not installed (exndbam)\n") != std::string::npos);
  CHECK(store.check(root, {"--format", "cave"}).out ==
        "cave resolve --execute --preserve-world =app-arch/bzip2-1.0.8-r5:0\n");

  SECTION("check PKG looks only at that package's locks") {
    Run only = store.check(root, {"dev-libs/gone:0", "--format", "lines"});
    CHECK(only.exit_code == 1);
    CHECK(only.out.empty());
  }
  SECTION("a stale lock of an installed package on an installed one still counts, and changes the rebuild") {
    store.run_ok({"set", "app-arch/libbz2:0", "abi", "2"});
    Run r = store.check(root, {"--format", "lines"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "app-arch/bzip2:0\n"); // not the uninstalled holder of a now stale lock too
    CHECK(r.err.find("app-arch/bzip2:0: app-arch/libbz2:0 abi locked 1, now 2") != std::string::npos);
  }
  SECTION("forgotten, as the uninstall hook would, and relocked: clean, exit 0") {
    store.run_ok({"forget", "dev-libs/gone:0"});
    Run r = store.check(root);
    CHECK(r.exit_code == 1); // bzip2 still locks on it: the database says why it is gone
    CHECK(r.out == "stale locks:\n"
                   "  app-arch/bzip2:0: dev-libs/gone:0 abi locked g, on dev-libs/gone:0, which is not installed "
                   "(exndbam)\n"
                   "rebuild, dependencies first:\n"
                   "  app-arch/bzip2:0\n");
    TagStore fresh;
    fresh.run_ok({"set", "app-arch/libbz2:0", "abi", "1"});
    fresh.run_ok({"lock", "app-arch/bzip2:0", "app-arch/libbz2:0", "abi"});
    Run clean = fresh.check(root);
    CHECK(clean.exit_code == 0);
    CHECK(clean.out.empty());
  }
  SECTION("no database under the root: every id is taken as installed, as before") {
    TempDir empty;
    Run r = store.check(empty.path());
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());
  }
  SECTION("--package-manager names a database that is not there: exit 3") {
    Run r = store.check(root, {"--package-manager", "pacman"});
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
  }
}

TEST_CASE("check: dpkg ids against a dpkg root, judged as dpkg-query judges them", "[packages][check]") {
  require_tool("dpkg-query", "dpkg");
  TempDir dir;
  std::string root = dir.path() + "/root";
  write_dpkg_root(root);
  // Every dpkg-shaped id: what dpkg-query -s says decides. "foo:0" and
  // "cat/pkg:0" are not dpkg's to judge (a slot, a category).
  std::vector<std::string> ids = {"libfoo1", "libfoo1:amd64", "libfoo1:i386", "prog", "prog:amd64", "prog:i386",
                                  "prog-data", "prog-data:all", "prog-data:amd64", "gone", "gone:amd64"};
  std::set<std::string> expected = not_installed_by_tool("dpkg-query", {"--root=" + root, "-s"}, ids);
  CHECK(expected == std::set<std::string>{"libfoo1:i386", "prog:i386", "prog-data:amd64", "gone", "gone:amd64"});
  ids.insert(ids.end(), {"foo:0", "cat/pkg:0"});
  TagStore store;
  CHECK(store.not_installed(root, ids, R"(["dpkg"])") == expected);
}

TEST_CASE("check: pacman and rpm ids against roots the real tools installed, judged by pacman -Q and rpm -q",
          "[packages][check][pacman][rpm]") {
  TempDir dir;
  std::string pacman_root = dir.path() + "/pacman", rpm_root = dir.path() + "/rpm";
  pacman_install(pacman_root, {"libabidemo-1:1.0-1", "abidemo-1:1.0-1"});
  rpm_install(rpm_root, "-i", {"libabidemo-1.0-1", "abidemo-1.0-1"});

  std::vector<std::string> pacman_ids = {"libabidemo", "abidemo", "gone", "abidemo-debug"};
  std::set<std::string> pacman_gone =
      not_installed_by_tool("pacman", pacman_args(pacman_root, {"-Q"}), pacman_ids);
  CHECK(pacman_gone == std::set<std::string>{"gone", "abidemo-debug"});
  TagStore pacman_store;
  CHECK(pacman_store.not_installed(pacman_root, pacman_ids, R"(["pacman"])") == pacman_gone);

  std::vector<std::string> rpm_ids = {"libabidemo", "libabidemo.x86_64", "abidemo.x86_64", "abidemo.i686", "gone",
                                      "gone.x86_64"};
  std::set<std::string> rpm_gone = not_installed_by_tool("rpm", rpm_args(rpm_root, {"-q"}), rpm_ids);
  CHECK(rpm_gone == std::set<std::string>{"abidemo.i686", "gone", "gone.x86_64"});
  TagStore rpm_store;
  CHECK(rpm_store.not_installed(rpm_root, rpm_ids, R"(["rpm"])") == rpm_gone);

  SECTION("a lock on an rpm package that was erased: its dependant is rebuilt, in dnf's words") {
    TagStore store;
    store.run_ok({"set", "libabidemo.x86_64", "abi", "1"});
    store.run_ok({"lock", "abidemo.x86_64", "libabidemo.x86_64", "abi"});
    CHECK(store.check(rpm_root).exit_code == 0);
    Run erased = as_root("rpm", rpm_args(rpm_root, {"-e", "--nodeps", "libabidemo"}));
    REQUIRE(erased.exit_code == 0);
    Run r = store.check(rpm_root, {"--format", "dnf"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "dnf reinstall abidemo-1:1.0-1.x86_64\n");
    CHECK(r.err == "abitag: stale: abidemo.x86_64: libabidemo.x86_64 abi locked 1, on libabidemo.x86_64, which is "
                   "not installed (rpm)\n");
  }
}
