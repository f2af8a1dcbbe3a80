// SPDX-License-Identifier: MIT
// `abitag owner` and `abitag files` through the real binary, against the
// package managers' own answers: dpkg -S and dpkg -L on this machine,
// pacman -Qo / -Ql and rpm -qf / -ql on temporary roots where the real
// tools installed the fixture packages.
#include <filesystem>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/packages_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

Run run_abitag(std::vector<std::string> args) { return run(abitag_binary(), args); }

std::set<std::string> set_of(const std::vector<std::string> &items) { return {items.begin(), items.end()}; }

// Regular files PACKAGE lists that no other package lists or diverts, so
// dpkg -S names that package alone.
std::vector<std::string> sole_files_of(const std::string &package, std::size_t how_many) {
  std::vector<std::string> files;
  std::string diversions = run("dpkg-divert", {"--list"}).out;
  for (const std::string &path : lines(run("dpkg", {"-L", package}).out)) {
    if (files.size() == how_many)
      break;
    if (!fs::is_regular_file(fs::symlink_status(path)) || diversions.find(path + " ") != std::string::npos)
      continue;
    if (lines(run("dpkg", {"-S", path}).out) == std::vector<std::string>{package + ": " + path})
      files.push_back(path);
  }
  return files;
}

} // namespace

TEST_CASE("owner: prints what dpkg -S prints for this machine's files, and exits 1 for a file nobody owns",
          "[packages][owner]") {
  require_tool("dpkg", "dpkg");
  std::vector<std::string> paths;
  for (const char *package : {"coreutils", "bash", "dpkg"}) {
    std::vector<std::string> files = sole_files_of(package, 10);
    paths.insert(paths.end(), files.begin(), files.end());
  }
  REQUIRE(paths.size() >= 20);
  Run dpkg = run("dpkg", [&] {
    std::vector<std::string> args = {"-S"};
    args.insert(args.end(), paths.begin(), paths.end());
    return args;
  }());
  std::vector<std::string> args = {"owner"};
  args.insert(args.end(), paths.begin(), paths.end());
  Run owner = run_abitag(args);
  INFO(owner.err);
  CHECK(owner.exit_code == 0);
  CHECK(owner.err.empty());
  CHECK(lines(owner.out) == lines(dpkg.out));

  TempDir dir;
  std::string stray = dir.path() + "/stray";
  write_file(stray, "x");
  CHECK(run("dpkg", {"-S", stray}).exit_code == 1);
  Run unowned = run_abitag({"owner", paths[0], stray});
  CHECK(unowned.exit_code == 1);
  CHECK(lines(unowned.out) == std::vector<std::string>{lines(dpkg.out)[0]});
  CHECK(unowned.err == "abitag: " + stray + ": not owned by any installed package\n");
}

TEST_CASE("files: lists what dpkg -L lists", "[packages][files]") {
  require_tool("dpkg", "dpkg");
  for (const char *package : {"coreutils", "bash"}) {
    std::vector<std::string> listed = lines(run("dpkg", {"-L", package}).out);
    listed.erase(std::remove(listed.begin(), listed.end(), "/."), listed.end()); // dpkg's entry for the root
    Run files = run_abitag({"files", package});
    INFO(package << files.err);
    CHECK(files.exit_code == 0);
    CHECK(lines(files.out) == listed);
  }
  Run missing = run_abitag({"files", "no-such-package-abitag"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "abitag: no-such-package-abitag: not installed\n");
}

TEST_CASE("owner and files on a pacman root: as pacman -Qo and pacman -Ql, host paths and paths inside the root",
          "[packages][owner][pacman]") {
  TempDir root;
  pacman_install(root.path(), {"libabidemo-1:1.0-1", "abidemo-1:1.0-1"});
  for (const char *name : {"libabidemo", "abidemo"}) {
    // "abidemo ROOT/usr/bin/": folders with a trailing '/', which pacman -Qo
    // answers for too.
    std::vector<std::string> expected;
    for (std::string line : lines(run("pacman", pacman_args(root.path(), {"-Ql", name})).out)) {
      line = line.substr(std::string(name).size() + 1 + root.path().size());
      if (line.size() > 1 && line.back() == '/')
        line.pop_back();
      expected.push_back(line);
    }
    Run files = run_abitag({"files", "--root", root.path(), "--package-manager", "pacman", name});
    INFO(name << files.err);
    CHECK(files.exit_code == 0);
    CHECK(set_of(lines(files.out)) == set_of(expected));
    for (const std::string &path : expected) {
      if (fs::is_directory(root.path() + path))
        continue; // several packages own a folder; pacman names one
      Run pacman = run("pacman", pacman_args(root.path(), {"-Qo", root.path() + path}));
      REQUIRE(pacman.out.find(" is owned by " + std::string(name) + " ") != std::string::npos);
      for (const std::string &given : {path, root.path() + path}) {
        Run owner = run_abitag({"owner", "--root", root.path(), given});
        INFO(given << owner.err);
        CHECK(owner.exit_code == 0);
        CHECK(owner.out == std::string(name) + ": " + path + "\n");
      }
    }
  }
}

TEST_CASE("owner and files on an rpm root: as rpm -qf and rpm -ql, and --json names the package",
          "[packages][owner][rpm]") {
  TempDir root;
  rpm_install(root.path(), "-i", {"libabidemo-1.0-1", "abidemo-1.0-1"});
  std::vector<std::string> listed = lines(run("rpm", rpm_args(root.path(), {"-ql", "libabidemo"})).out);
  Run files = run_abitag({"files", "--root", root.path(), "libabidemo"});
  CHECK(files.exit_code == 0);
  CHECK(set_of(lines(files.out)) == set_of(listed));
  std::size_t asked = 0;
  for (const std::string &path : listed) {
    if (fs::is_directory(root.path() + path))
      continue;
    Run rpm = run("rpm", rpm_args(root.path(), {"-qf", "--qf", "%{NAME}\\n", path}));
    Run owner = run_abitag({"owner", "--root", root.path(), "--package-manager", "rpm", path});
    INFO(path << owner.err);
    CHECK(owner.exit_code == 0);
    CHECK(owner.out == rpm.out.substr(0, rpm.out.size() - 1) + ": " + path + "\n");
    ++asked;
  }
  CHECK(asked > 0);

  Run json = run_abitag({"owner", "--root", root.path(), "--json", listed.back(), "/nowhere"});
  CHECK(json.exit_code == 1);
  nlohmann::json document = nlohmann::json::parse(json.out);
  REQUIRE(document.size() == 2);
  CHECK(document[0]["path"] == listed.back());
  REQUIRE(document[0]["owners"].size() == 1);
  nlohmann::json owner = document[0]["owners"][0];
  CHECK(owner["manager"] == "rpm");
  CHECK(owner["name"] == "libabidemo");
  CHECK(owner["version"] == "1:1.0-1");
  CHECK(owner["architecture"] == "x86_64");
  CHECK(document[1]["owners"].empty());
}

TEST_CASE("owner: a manager whose database is not under the root is exit 3 naming where it looked, and "
          "a damaged entry is a finding and the other packages still answer",
          "[packages][owner][pacman]") {
  TempDir root;
  pacman_install(root.path(), {"libabidemo-1:1.0-1", "abidemo-1:1.0-1"});
  Run missing = run_abitag({"owner", "--root", root.path(), "--package-manager", "dpkg", "/usr/bin/abidemo"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.out.empty());
  CHECK(missing.err.rfind("abitag: " + root.path() + ": no dpkg database: ", 0) == 0);
  CHECK(missing.err.find("/var/lib/dpkg/status") != std::string::npos);

  Run nothing = run_abitag({"owner", "--root", root.path() + "/usr", "/bin/abidemo"});
  CHECK(nothing.exit_code == 3);
  CHECK(nothing.err.find("no package database found") != std::string::npos);

  std::string program = root.path() + "/var/lib/pacman/local/abidemo-1:1.0-1";
  fs::remove(program + "/files");
  Run damaged = run_abitag({"owner", "--root", root.path(), "/usr/bin/abidemo", "/usr/lib/libabidemo.so.1"});
  CHECK(damaged.exit_code == 1);
  CHECK(damaged.out == "libabidemo: /usr/lib/libabidemo.so.1\n");
  CHECK(damaged.err == "abitag: " + program + ": files: No such file or directory\n"
                       "abitag: /usr/bin/abidemo: not owned by any installed package\n");
}

TEST_CASE("check --format takes versions and slots from the package database for store ids of installed packages",
          "[packages][check]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  auto store = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--db", db});
    Run r = run_abitag(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  };
  // app-arch/bzip2:0 (installed in the VDB fixture), a package that is not
  // (not rebuilt: packages_check_test.cpp), and an id the VDB cannot judge
  // (no category), written as it is.
  store({"set", "app-arch/libbz2:0", "abi", "1"});
  store({"lock", "app-arch/bzip2:0", "app-arch/libbz2:0", "abi"});
  store({"lock", "dev-libs/gone-1.0:0", "app-arch/libbz2:0", "abi"});
  store({"lock", "local-1.0:0", "app-arch/libbz2:0", "abi"});
  store({"set", "app-arch/libbz2:0", "abi", "2"});
  std::string root = fixture("packages/vdb");
  auto check = [&](const std::string &format) {
    Run r = run_abitag({"check", "--db", db, "--root", root, "--package-manager", "vdb", "--format", format});
    INFO(format << r.err);
    CHECK(r.exit_code == 1);
    return r.out;
  };
  CHECK(check("cave") == "cave resolve --execute --preserve-world =app-arch/bzip2-1.0.8-r5:0 =local-1.0:0\n");
  CHECK(check("emerge") == "emerge --oneshot =app-arch/bzip2-1.0.8-r5 local-1.0:0\n");
  CHECK(check("lines") == "app-arch/bzip2:0\nlocal-1.0:0\n");

  Run missing = run_abitag({"check", "--db", db, "--root", root, "--package-manager", "rpm", "--format", "dnf"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.out.empty());
}
