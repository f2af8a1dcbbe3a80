// SPDX-License-Identifier: MIT
// `abitag ghc` as exlibs and admins call it: values, --json, bad input, and
// --check against what ghc-pkg check and ghc said (committed), and against
// the real ghc-pkg when it is installed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

Run ghc(const std::vector<std::string> &args, const std::string &input = "") {
  std::vector<std::string> all{"ghc"};
  all.insert(all.end(), args.begin(), args.end());
  return run(abitag_binary(), all, input);
}

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::set<std::string> words(const std::string &text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;)
    out.insert(w);
  return out;
}

// The packages (name-version, as ghc-pkg names them) that --check finds broken.
std::set<std::string> broken_packages(const Run &r) {
  std::set<std::string> out;
  nlohmann::json doc = nlohmann::json::parse(r.out);
  for (const auto &b : doc["broken"])
    out.insert(b["package"].get<std::string>());
  return out;
}

const std::string kTiny = "tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s";
const std::string kTwo = "twolib-0.2.0-5b25lSRGE9gFBaoA0k3FCe";
const std::string kTwoInternal = "twolib-0.2.0-8FpzfYs13ClA3n8z4aSyz5-twolib-internal";

} // namespace

TEST_CASE("ghc: the main library's id, without the alignment sed keeps", "[ghc][cli]") {
  Run r = ghc({fixture("ghc/tinylib/register.sh"), fixture("ghc/twolib/register.sh")});
  CHECK(r.exit_code == 0);
  CHECK(r.out == kTiny + "\n" + kTwo + "\n");
  CHECK(r.err.empty());
  Run all = ghc({"--all", fixture("ghc/twolib/register.sh")});
  CHECK(all.out == kTwoInternal + "\n" + kTwo + "\n");
}

TEST_CASE("ghc: --tag changes when a rebuild keeps the id but not the abi", "[ghc][cli]") {
  Run before = ghc({"--tag", fixture("ghc/tinylib/register.sh")});
  Run after = ghc({"--tag", fixture("ghc/tinylib-rebuilt/register.sh")});
  CHECK(before.out == kTiny + ":e7b1f9d6eef442698aa888701e2ef5ff\n");
  CHECK(after.out == kTiny + ":95a09e9fce30b8741b608160113fc723\n");
  CHECK(ghc({fixture("ghc/tinylib/register.sh")}).out == ghc({fixture("ghc/tinylib-rebuilt/register.sh")}).out);
}

TEST_CASE("ghc: --field reads any field, in any case", "[ghc][cli]") {
  CHECK(ghc({"--field", "ABI", fixture("ghc/tinylib/tinylib.conf")}).out == "e7b1f9d6eef442698aa888701e2ef5ff\n");
  CHECK(ghc({"--field", "version", fixture("ghc/twolib/register.sh")}).out == "0.2.0\n");
  CHECK(ghc({"--field", "depends", fixture("ghc/twolib/register.sh")}).out ==
        "base-4.15.1.0 " + kTwoInternal + "\n");
  CHECK(ghc({"--field", "lib-name", "--all", fixture("ghc/twolib/register.sh")}).out == "twolib-internal\n\n");
  CHECK(ghc({"--field", "id", "--tag", fixture("ghc/tinylib/tinylib.conf")}).exit_code == 2);
}

TEST_CASE("ghc: a database directory, a dump on stdin and Debian's confs", "[ghc][cli]") {
  Run db = ghc({fixture("ghc/db-good")});
  CHECK(db.exit_code == 0);
  CHECK(words(db.out) == std::set<std::string>{kTiny, kTwo, "uselib-1.0-6jXPC3HTHPfLtmaLnV87TF"});
  Run dump = ghc({"--all", "-"}, slurp(fixture("ghc/dump.txt")));
  CHECK(dump.exit_code == 0);
  CHECK(words(dump.out) == words(slurp(fixture("ghc/field-id.out"))));
  Run debian = ghc({"--tag", fixture("ghc/debian-global/hscolour-1.24.4.conf")});
  CHECK(debian.out == "hscolour-1.24.4-HKLiWvLsNQhKZwI7FyBmaY:384d54401185d16c13466d28e762e97a\n");
}

TEST_CASE("ghc: --json lists every component with the fields the tagger needs", "[ghc][cli]") {
  Run r = ghc({"--json", fixture("ghc/twolib/register.sh")});
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["value"] == kTwo);
  REQUIRE(doc["components"].size() == 2);
  const auto &internal = doc["components"][0];
  CHECK(internal["id"] == kTwoInternal);
  CHECK(internal["abi"] == "c92584e32556da780ede1f8d8a8988be");
  CHECK(internal["name"] == "z-twolib-z-twolib-internal");
  CHECK(internal["package-name"] == "twolib");
  CHECK(internal["lib-name"] == "twolib-internal");
  CHECK(internal["version"] == "0.2.0");
  CHECK(internal["depends"] == nlohmann::json::array({"base-4.15.1.0"}));
  CHECK(internal["abi-depends"].empty());
  CHECK(doc["components"][1]["lib-name"].is_null());
  Run upper = ghc({"--json", fixture("ghc/db-abi-upper")});
  auto abi_depends = nlohmann::json::parse(upper.out)["components"][0]["abi-depends"];
  REQUIRE(abi_depends.size() == 3);
  CHECK(abi_depends[1]["id"] == kTiny);
  CHECK(abi_depends[1]["abi"] == "e7b1f9d6eef442698aa888701e2ef5ff");
}

TEST_CASE("ghc: bad input names the file and the reason, exit 3, nothing on stdout", "[ghc][cli]") {
  TempDir tmp;
  std::string script = slurp(fixture("ghc/tinylib/register.sh"));
  spit(tmp.path() + "/unclosed.sh", script.substr(0, script.find("' | '/usr/bin/ghc-pkg'")));
  spit(tmp.path() + "/noid.conf", "name: foo\nversion: 1.0\n");
  spit(tmp.path() + "/junk.bin", std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10) + std::string(100, '\x01'));
  spit(tmp.path() + "/prose.txt", "This is not a package description.\n");
  spit(tmp.path() + "/plain.sh", "#!/bin/sh\necho hello\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unclosed.sh", "the quote opened on line 3 never closes"},
      {"noid.conf", "no id field"},
      {"junk.bin", "not a register.sh, an InstalledPackageInfo .conf or a ghc-pkg dump"},
      {"prose.txt", "not a register.sh, an InstalledPackageInfo .conf or a ghc-pkg dump"},
      {"plain.sh", "a shell script without an `echo '...' | ghc-pkg` registration"},
      {"missing", "No such file or directory"},
  };
  for (const auto &[name, reason] : cases) {
    std::string path = tmp.path() + "/" + name;
    Run r = ghc({path, fixture("ghc/tinylib/register.sh")});
    INFO(name);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err == "abitag: " + path + ": " + reason + "\n");
  }
  Run in = ghc({"-"}, "garbage\n");
  CHECK(in.exit_code == 3);
  CHECK(in.out.empty());
  CHECK(in.err == "abitag: -: line 1: not a 'field: value' line\n");

  fs::create_directory(tmp.path() + "/locked");
  spit(tmp.path() + "/locked/a.conf", "id: a\n");
  fs::permissions(tmp.path() + "/locked", fs::perms::none);
  if (::geteuid() != 0) { // root reads it anyway
    Run locked = ghc({"--check", tmp.path() + "/locked"});
    CHECK(locked.exit_code == 3);
    CHECK(locked.err == "abitag: " + tmp.path() + "/locked: Permission denied\n");
  }
  Run missing_db = ghc({"--check", fixture("ghc/debian-global"), tmp.path() + "/no-db"});
  CHECK(missing_db.exit_code == 3);
  CHECK(missing_db.out.empty());
  CHECK(missing_db.err == "abitag: " + tmp.path() + "/no-db: No such file or directory\n");
  Run not_dir = ghc({"--check", fixture("ghc/tinylib/tinylib.conf") + "/db"});
  CHECK(not_dir.exit_code == 3);
  CHECK(not_dir.err == "abitag: " + fixture("ghc/tinylib/tinylib.conf") + "/db: Not a directory\n");
}

TEST_CASE("ghc: package.cache and other files in a database are skipped", "[ghc][cli]") {
  TempDir tmp;
  fs::copy(fixture("ghc/db-good"), tmp.path());
  spit(tmp.path() + "/package.cache", std::string("\0ghcpkg\0\0\0\0\1\0\0\0\0", 16) + "binary");
  spit(tmp.path() + "/package.cache.lock", "");
  Run r = ghc({"--json", tmp.path()});
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["components"].size() == 4);
  CHECK(doc["other_files"] == 2);
}

TEST_CASE("ghc: --check agrees with the committed ghc-pkg check of the broken database", "[ghc][cli][check]") {
  Run r = ghc({"--check", "--json", fixture("ghc/debian-global"), fixture("ghc/db-broken")});
  CHECK(r.exit_code == std::stoi(slurp(fixture("ghc/db-broken/ghc-pkg-check.rc"))));
  CHECK(broken_packages(r) == words(slurp(fixture("ghc/db-broken/ghc-pkg-check.simple"))));
  // the reason ghc-pkg gave is the one abitag gives
  std::string ghc_pkg = slurp(fixture("ghc/db-broken/ghc-pkg-check.out"));
  CHECK(ghc_pkg.find("dependency \"" + kTwoInternal + "\" doesn't exist") != std::string::npos);
  Run text = ghc({"--check", fixture("ghc/debian-global"), fixture("ghc/db-broken")});
  CHECK(text.out == kTwo + ": dependency \"" + kTwoInternal + "\" doesn't exist\n"
                    "uselib-1.0-6jXPC3HTHPfLtmaLnV87TF: depends on broken " + kTwo + "\n"
                    "rebuild order:\ntwolib-0.2.0\nuselib-1.0\n");
  Run good = ghc({"--check", fixture("ghc/debian-global"), fixture("ghc/db-good")});
  CHECK(good.exit_code == 0);
  CHECK(good.out == "no broken packages (13 units in 2 databases)\n");
}

TEST_CASE("ghc: --check sees the shadowed dependency ghc refused and ghc-pkg check missed", "[ghc][cli][check]") {
  Run r = ghc({"--check", fixture("ghc/debian-global"), fixture("ghc/db-abi-lower"), fixture("ghc/db-abi-upper")});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "uselib-1.0-6jXPC3HTHPfLtmaLnV87TF: built against " + kTiny +
                     " with abi e7b1f9d6eef442698aa888701e2ef5ff, which now has abi "
                     "95a09e9fce30b8741b608160113fc723\nrebuild order:\nuselib-1.0\n");
  std::string ghc_said = slurp(fixture("ghc/db-abi-upper/ghc-unusable.out"));
  CHECK(ghc_said.find("uselib-1.0-6jXPC3HTHPfLtmaLnV87TF is unusable due to shadowed dependencies") !=
        std::string::npos);
  CHECK(ghc_said.find(kTiny) != std::string::npos);
  CHECK(slurp(fixture("ghc/db-abi-upper/ghc-pkg-check.rc")) == "0\n"); // why abi-depends matters
}

TEST_CASE("ghc: --check names cycles, duplicates and whole dependant chains in order", "[ghc][cli][check]") {
  TempDir tmp;
  auto conf = [&](const std::string &id, const std::string &depends, const std::string &file = "") {
    std::string name = id.substr(0, id.rfind('-'));
    spit(tmp.path() + "/" + (file.empty() ? id : file) + ".conf",
         "name: " + name + "\nversion: 1\nid: " + id + "\nkey: " + id + "\ndepends: " + depends + "\n");
  };
  conf("base-1", "");
  conf("a-1", "base-1 gone-1");
  conf("b-1", "a-1");
  conf("c-1", "b-1 base-1");
  conf("x-1", "y-1");
  conf("y-1", "x-1");
  conf("z-1", "y-1");
  conf("d-1", "base-1");
  conf("d-1", "base-1", "d-copy");
  Run r = ghc({"--check", "--json", tmp.path()});
  CHECK(r.exit_code == 1);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["rebuild_order"] == nlohmann::json::array({"a-1", "b-1", "c-1", "d-1", "x-1", "y-1", "z-1"}));
  CHECK(doc["cycles"] == nlohmann::json::array({nlohmann::json::array({"x-1", "y-1"})}));
  std::vector<std::string> out = lines(ghc({"--check", tmp.path()}).out);
  CHECK(std::find(out.begin(), out.end(), "cycle: x-1 y-1") != out.end());
  CHECK(std::find(out.begin(), out.end(), "z-1: depends on broken y-1") != out.end());
  CHECK(std::find(out.begin(), out.end(), "c-1: depends on broken b-1") != out.end());
  CHECK(std::find(out.begin(), out.end(), "d-1: id d-1 is also registered by " + tmp.path() + "/d-copy.conf") !=
        out.end());
}

// The same verdicts as the real ghc-pkg check on databases made for it: a
// stack of two databases of units with only ids and depends (no files for
// ghc-pkg to look for), with dependencies removed at random.
TEST_CASE("ghc: --check agrees with the installed ghc-pkg check", "[ghc][cli][check][ghc-pkg]") {
  skip_unless_tool("ghc-pkg", "ghc");
  std::uint32_t seed = 12345;
  auto random = [&](std::uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
  };
  std::size_t broken_seen = 0, units_seen = 0;
  for (int scenario = 0; scenario < 6; ++scenario) {
    TempDir tmp;
    std::string lower = tmp.path() + "/lower", upper = tmp.path() + "/upper";
    fs::create_directory(lower);
    fs::create_directory(upper);
    const int n = 40;
    for (int i = 0; i < n; ++i) {
      std::string id = "p" + std::to_string(i) + "-1.0-h" + std::to_string(i);
      std::string depends;
      std::set<int> chosen;
      int wanted = i > 0 ? static_cast<int>(random(3)) : 0; // 0-2 dependencies
      for (int k = 0; k < wanted; ++k) {
        int dep = static_cast<int>(random(static_cast<std::uint32_t>(i)));
        if (!chosen.insert(dep).second)
          continue;
        // some dependencies point nowhere: what unregister --force leaves
        bool gone = random(40) == 0;
        depends += " p" + std::to_string(dep) + "-1.0-h" + std::to_string(dep) + (gone ? "x" : "");
      }
      bool lower_db = i < n / 2;
      // a few (key != id) units, which ghc-pkg check rejects too
      std::string key = random(80) == 0 ? "other" : id;
      spit((lower_db ? lower : upper) + "/" + id + ".conf",
           "name: p" + std::to_string(i) + "\nversion: 1.0\nid: " + id + "\nkey: " + key +
               "\ndepends:" + depends + "\n");
    }
    std::vector<std::string> stack{"--no-user-package-db", "--global-package-db=" + lower, "--package-db=" + upper};
    run("ghc-pkg", {"--no-user-package-db", "--global-package-db=" + lower, "recache"});
    auto args = stack;
    args.push_back("recache");
    REQUIRE(run("ghc-pkg", args).exit_code == 0);
    args = stack;
    args.insert(args.end(), {"check", "--simple-output"});
    Run theirs = run("ghc-pkg", args);
    Run ours = ghc({"--check", "--json", lower, upper});
    INFO("scenario " << scenario);
    CHECK(ours.exit_code == theirs.exit_code);
    CHECK(broken_packages(ours) == words(theirs.out));
    broken_seen += words(theirs.out).size();
    units_seen += n;
  }
  // the scenarios mix broken and sound units, or they would prove little
  CHECK(broken_seen > 0);
  CHECK(broken_seen < units_seen);
}

// Every conf of this machine's global database, read by abitag and by
// ghc-pkg itself (from the .conf files and from `ghc-pkg dump` on stdin).
TEST_CASE("ghc: fields of the installed global database agree with ghc-pkg field", "[ghc][cli][ghc-pkg]") {
  skip_unless_tool("ghc-pkg", "ghc");
  Run list = run("ghc-pkg", {"--no-user-package-db", "--global", "list"});
  REQUIRE(list.exit_code == 0);
  std::string global = lines(list.out).at(0);
  if (!global.empty() && global.back() == ':') // written when stdout is a terminal
    global.pop_back();
  REQUIRE(fs::is_directory(global));
  Run dump = run("ghc-pkg", {"--no-user-package-db", "--global", "dump"});
  REQUIRE(dump.exit_code == 0);
  for (const char *field : {"id", "abi", "name", "version", "depends", "hs-libraries", "import-dirs"}) {
    Run theirs = run("ghc-pkg", {"--no-user-package-db", "--global", "--simple-output", "field", "*", field});
    Run ours = ghc({"--all", "--field", field, global});
    Run streamed = ghc({"--all", "--field", field, "-"}, dump.out);
    INFO(field);
    REQUIRE(ours.exit_code == 0);
    std::vector<std::string> a = lines(theirs.out), b = lines(ours.out), c = lines(streamed.out);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    std::sort(c.begin(), c.end());
    CHECK(b == a);
    CHECK(c == a);
  }
  Run check = run("ghc-pkg", {"--no-user-package-db", "--global", "check", "--simple-output"});
  CHECK(ghc({"--check", global}).exit_code == check.exit_code);
}
