// SPDX-License-Identifier: MIT
// The tag store through the abitag command, as a package manager's hooks
// call it; read back with the sqlite3 tool where it helps.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tagger/check.h"
#include "tests/tagger_support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> rebuild_list(const std::string &db) {
  Run r = tagger(db, "check", {"--format", "lines"});
  return lines(r.out);
}

} // namespace

TEST_CASE("end to end: record, rebuild a dependency, check orders the dependants, re-lock, clean",
          "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/var/lib/abitag/tags.db"; // folders made on first write
  // base is tagged by the real analyzer: first a C-only build.
  Run tagged = tagger(db, "tag", {"dev-libs/base:0", "cxxabi", fixture("cxxabi/capi")});
  require_ok(tagged);
  CHECK(tagged.out == run(abitag_binary(), {"cxxabi", fixture("cxxabi/capi")}).out);
  require_ok(tagger(db, "set", {"dev-libs/mid-a:0", "cxxabi", "a1"}));
  require_ok(tagger(db, "set", {"dev-libs/mid-b:0", "cxxabi", "b1"}));
  require_ok(tagger(db, "lock", {"dev-libs/mid-a:0", "dev-libs/base:0", "cxxabi"}));
  require_ok(tagger(db, "lock", {"dev-libs/mid-b:0", "dev-libs/base:0", "cxxabi"}));
  require_ok(tagger(db, "lock", {"app-misc/top:0", "dev-libs/mid-b:0", "cxxabi"}));
  require_ok(tagger(db, "lock", {"app-misc/top:0", "dev-libs/mid-a:0", "cxxabi"}));
  require_ok(tagger(db, "set", {"sys-libs/other:0", "cxxabi", "o1"}));
  require_ok(tagger(db, "lock", {"app-misc/unrelated:0", "sys-libs/other:0", "cxxabi"}));
  Run clean = tagger(db, "check");
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.empty());

  // base is rebuilt against a C++11-ABI libstdc++: a new value.
  Run rebuilt = tagger(db, "tag", {"dev-libs/base:0", "cxxabi", fixture("cxxabi/new-O2")});
  require_ok(rebuilt);
  CHECK(rebuilt.out == run(abitag_binary(), {"cxxabi", fixture("cxxabi/new-O2")}).out);
  CHECK(rebuilt.out != tagged.out);
  std::string old_value = tagged.out.substr(0, tagged.out.size() - 1);
  std::string new_value = rebuilt.out.substr(0, rebuilt.out.size() - 1);

  Run stale = tagger(db, "check");
  CHECK(stale.exit_code == 1);
  CHECK(lines(stale.out) == std::vector<std::string>{
                                "stale locks:",
                                "  dev-libs/mid-a:0: dev-libs/base:0 cxxabi locked " + old_value + ", now " + new_value,
                                "  dev-libs/mid-b:0: dev-libs/base:0 cxxabi locked " + old_value + ", now " + new_value,
                                "rebuild, dependencies first:",
                                "  dev-libs/mid-a:0",
                                "  dev-libs/mid-b:0",
                                "  app-misc/top:0",
                            });
  Run json = tagger(db, "check", {"--json"});
  CHECK(json.exit_code == 1);
  auto report = nlohmann::json::parse(json.out);
  CHECK(report["stale"].size() == 2);
  CHECK(report["stale"][0]["locked"] == old_value);
  CHECK(report["stale"][0]["current"] == new_value);
  CHECK(report["stale"][0]["reason"] == "changed");
  CHECK(report["rebuild"] == nlohmann::json({"dev-libs/mid-a:0", "dev-libs/mid-b:0", "app-misc/top:0"}));
  CHECK(report["cycles"].empty());

  // Rebuild in that order: mid-a gets a new value of its own, so top now
  // has a stale lock too until it is rebuilt.
  require_ok(tagger(db, "set", {"dev-libs/mid-a:0", "cxxabi", "a2"}));
  require_ok(tagger(db, "lock", {"dev-libs/mid-a:0", "dev-libs/base:0", "cxxabi"}));
  require_ok(tagger(db, "lock", {"dev-libs/mid-b:0", "dev-libs/base:0", "cxxabi"}));
  CHECK(rebuild_list(db) == std::vector<std::string>{"app-misc/top:0"});
  Run top = tagger(db, "check", {"--json"});
  CHECK(nlohmann::json::parse(top.out)["stale"][0]["dependency"] == "dev-libs/mid-a:0");
  require_ok(tagger(db, "lock", {"app-misc/top:0", "dev-libs/mid-a:0", "cxxabi"}));
  Run done = tagger(db, "check");
  CHECK(done.exit_code == 0);
  CHECK(done.out.empty());
  // The sqlite3 tool sees the same store.
  CHECK(sqlite_rows(db, "SELECT value FROM locks WHERE package = 'app-misc/top:0' ORDER BY dependency") ==
        std::vector<std::string>{"a2", "b1"});
  // A rollback journal: readers need no file beside the store.
  CHECK(sqlite_rows(db, "PRAGMA journal_mode") == std::vector<std::string>{"delete"});
  CHECK(sqlite_rows(db, "PRAGMA user_version") == std::vector<std::string>{"3"});
}

TEST_CASE("lock without a value needs the dependency's tag, and nothing is recorded otherwise", "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  require_ok(tagger(db, "set", {"dev-haskell/array:0", "cabal-id", "array-0.5.4.0"}));
  Run missing = tagger(db, "lock", {"dev-haskell/text:0", "dev-haskell/array:0", "abi"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.out.empty());
  CHECK(missing.err == "abitag: dev-haskell/array:0: has no tag 'abi' in " + db + " (give the value to lock)\n");
  CHECK(sqlite_rows(db, "SELECT count(*) FROM locks") == std::vector<std::string>{"0"});
  require_ok(tagger(db, "lock", {"dev-haskell/text:0", "dev-haskell/array:0", "abi", "6a406eba"}));
  require_ok(tagger(db, "lock", {"dev-haskell/text:0", "dev-haskell/array:0", "cabal-id"}));
  CHECK(sqlite_rows(db, "SELECT key, value FROM locks ORDER BY key") ==
        std::vector<std::string>{"abi|6a406eba", "cabal-id|array-0.5.4.0"});
  // Locking again replaces the value.
  require_ok(tagger(db, "lock", {"dev-haskell/text:0", "dev-haskell/array:0", "abi", "ffff"}));
  CHECK(sqlite_rows(db, "SELECT value FROM locks WHERE key = 'abi'") == std::vector<std::string>{"ffff"});
}

TEST_CASE("forget drops a package's tags and locks, and locks others hold on it report it gone", "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  require_ok(tagger(db, "set", {"a:0", "k", "1"}));
  require_ok(tagger(db, "set", {"b:0", "k", "2"}));
  require_ok(tagger(db, "lock", {"b:0", "a:0", "k"}));
  require_ok(tagger(db, "lock", {"c:0", "b:0", "k"}));
  require_ok(tagger(db, "forget", {"b:0"}));
  CHECK(sqlite_rows(db, "SELECT package FROM tags UNION ALL SELECT package FROM locks") ==
        std::vector<std::string>{"a:0", "c:0"});
  Run r = tagger(db, "check");
  CHECK(r.exit_code == 1);
  CHECK(lines(r.out)[1] == "  c:0: b:0 k locked 2, now (package gone)");
  // A package that is still there but lost the key reads differently.
  require_ok(tagger(db, "lock", {"c:0", "a:0", "other", "x"}));
  auto report = nlohmann::json::parse(tagger(db, "check", {"--json"}).out);
  REQUIRE(report["stale"].size() == 2);
  CHECK(report["stale"][0]["reason"] == "tag-gone");
  CHECK(report["stale"][0]["current"].is_null());
  CHECK(report["stale"][1]["reason"] == "package-gone");
  // Forgetting what is not there is an error, as show and check say; an
  // uninstall hook, which may run twice, passes --if-known.
  CHECK(tagger(db, "forget", {"never:0"}).exit_code == 3);
  CHECK(tagger(db, "forget", {"--if-known", "never:0"}).exit_code == 0);
}

TEST_CASE("check PKG looks at those packages' locks only, and names unknown ones", "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  require_ok(tagger(db, "set", {"a:0", "k", "1"}));
  require_ok(tagger(db, "lock", {"b:0", "a:0", "k"}));
  require_ok(tagger(db, "lock", {"c:0", "a:0", "k"}));
  require_ok(tagger(db, "lock", {"d:0", "b:0", "k", "whatever"}));
  require_ok(tagger(db, "set", {"a:0", "k", "2"}));
  Run only_c = tagger(db, "check", {"c:0", "--format", "lines"});
  CHECK(only_c.exit_code == 1);
  CHECK(only_c.out == "c:0\n");
  Run only_b = tagger(db, "check", {"b:0", "--format", "lines"});
  CHECK(only_b.out == "b:0\nd:0\n"); // d locks on b, which is rebuilt
  Run none = tagger(db, "check", {"a:0"});
  CHECK(none.exit_code == 0);
  Run unknown = tagger(db, "check", {"zz:0"});
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err == "abitag: zz:0: not in the store " + db + "\n");
}

TEST_CASE("cycles are named, and cave format gives a cave resolve command", "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  require_ok(tagger(db, "set", {"dev-lang/ghc-9.0.2:0", "abi", "1"}));
  require_ok(tagger(db, "set", {"dev-haskell/x:0", "abi", "x"}));
  require_ok(tagger(db, "set", {"dev-haskell/y:0", "abi", "y"}));
  require_ok(tagger(db, "lock", {"dev-haskell/x:0", "dev-lang/ghc-9.0.2:0", "abi"}));
  require_ok(tagger(db, "lock", {"dev-haskell/x:0", "dev-haskell/y:0", "abi"}));
  require_ok(tagger(db, "lock", {"dev-haskell/y:0", "dev-haskell/x:0", "abi"}));
  require_ok(tagger(db, "lock", {"app-misc/z-1.0-r1:0", "dev-haskell/y:0", "abi"}));
  require_ok(tagger(db, "set", {"dev-lang/ghc-9.0.2:0", "abi", "2"}));
  Run text = tagger(db, "check");
  CHECK(text.exit_code == 1);
  CHECK(lines(text.out).back() == "cycle: dev-haskell/x:0 dev-haskell/y:0");
  Run cave = tagger(db, "check", {"--format", "cave"});
  CHECK(cave.exit_code == 1);
  CHECK(cave.out ==
        "cave resolve --execute --preserve-world dev-haskell/x:0 dev-haskell/y:0 =app-misc/z-1.0-r1:0\n");
  CHECK(cave.err == "abitag: stale: dev-haskell/x:0: dev-lang/ghc-9.0.2:0 abi locked 1, now 2\n"
                    "abitag: cycle: dev-haskell/x:0 dev-haskell/y:0\n");
}

TEST_CASE("cave specs carry '=' exactly when the id has a version", "[tagger][cli]") {
  using abitag::tagger::cave_spec;
  CHECK(cave_spec("dev-libs/foo:0") == "dev-libs/foo:0");
  CHECK(cave_spec("dev-libs/foo-1.2.3:0") == "=dev-libs/foo-1.2.3:0");
  CHECK(cave_spec("dev-libs/foo-1.2_rc1-r3:2::arbor") == "=dev-libs/foo-1.2_rc1-r3:2::arbor");
  CHECK(cave_spec("dev-libs/foo-scm:0") == "=dev-libs/foo-scm:0");
  CHECK(cave_spec("dev-libs/gtk+3:3") == "dev-libs/gtk+3:3");
  CHECK(cave_spec("dev-libs/foo-bar:0") == "dev-libs/foo-bar:0");
}

TEST_CASE("export and import round-trip, and import merges or replaces", "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db", copy = dir.path() + "/copy.db";
  require_ok(tagger(db, "set", {"a:0", "k", "value with spaces"}));
  require_ok(tagger(db, "tag", {"b:0", "cxxabi", fixture("cxxabi/capi")}));
  require_ok(tagger(db, "lock", {"b:0", "a:0", "k"}));
  Run exported = tagger(db, "export");
  require_ok(exported);
  auto document = nlohmann::json::parse(exported.out);
  CHECK(document["format"] == "abitag-store");
  CHECK(document["packages"]["a:0"]["tags"]["k"]["value"] == "value with spaces");
  CHECK(document["packages"]["b:0"]["tags"]["cxxabi"]["source"] == "cxxabi");
  CHECK(document["packages"]["b:0"]["locks"][0]["dependency"] == "a:0");

  require_ok(tagger(copy, "set", {"c:0", "k", "kept"}));
  require_ok(tagger(copy, "import", {}, exported.out));
  Run merged = tagger(copy, "export");
  CHECK(nlohmann::json::parse(merged.out)["packages"].size() == 3);
  std::string file = dir.path() + "/export.json";
  std::ofstream(file) << exported.out;
  require_ok(tagger(copy, "import", {"--replace", file}));
  CHECK(tagger(copy, "export").out == exported.out);
  CHECK(sqlite_rows(copy, "SELECT package, key, value, source, time FROM tags ORDER BY package") ==
        sqlite_rows(db, "SELECT package, key, value, source, time FROM tags ORDER BY package"));
  Run unreadable = tagger(copy, "import", {dir.path() + "/missing.json"});
  CHECK(unreadable.exit_code == 3);
  CHECK(unreadable.err == "abitag: " + dir.path() + "/missing.json: No such file or directory\n");
}

TEST_CASE("show prints one package or all, and names an unknown one", "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  require_ok(tagger(db, "set", {"a:0", "k", "1"}));
  require_ok(tagger(db, "lock", {"b:0", "a:0", "k"}));
  Run one = tagger(db, "show", {"b:0"});
  require_ok(one);
  REQUIRE(lines(one.out).size() == 2);
  CHECK(lines(one.out)[0] == "b:0");
  CHECK(lines(one.out)[1].rfind("  lock a:0 k=1 (20", 0) == 0);
  CHECK(lines(tagger(db, "show").out).size() == 4);
  auto json = nlohmann::json::parse(tagger(db, "show", {"a:0", "--json"}).out);
  CHECK(json["packages"].size() == 1);
  Run unknown = tagger(db, "show", {"nope:0"});
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err == "abitag: nope:0: not in the store " + db + "\n");
}

TEST_CASE("ABITAG_DB names the store, --db wins over it", "[tagger][cli]") {
  TempDir dir;
  std::string env_db = dir.path() + "/env.db", flag_db = dir.path() + "/flag.db";
  require_ok(run("env", {"ABITAG_DB=" + env_db, abitag_binary(), "set", "a:0", "k", "1"}));
  require_ok(run("env", {"ABITAG_DB=" + env_db, abitag_binary(), "set", "--db", flag_db, "b:0", "k", "1"}));
  CHECK(sqlite_rows(env_db, "SELECT package FROM tags") == std::vector<std::string>{"a:0"});
  CHECK(sqlite_rows(flag_db, "SELECT package FROM tags") == std::vector<std::string>{"b:0"});
}

TEST_CASE("reading a store that is not there says so with exit 3, --if-exists reads nothing, nothing is created",
          "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/none/tags.db";
  for (std::string command : {"check", "show", "export"}) {
    INFO(command);
    Run missing = tagger(db, command);
    CHECK(missing.exit_code == 3);
    CHECK(missing.out.empty());
    CHECK(missing.err == "abitag: " + db + ": no tag store here (nothing recorded yet, or a mistyped --db or $ABITAG_DB)\n");
  }
  Run check = tagger(db, "check", {"--if-exists"});
  CHECK(check.exit_code == 0);
  CHECK(check.out.empty());
  CHECK(check.err.empty());
  Run show = tagger(db, "show", {"--if-exists"});
  CHECK(show.exit_code == 0);
  CHECK(show.out.empty());
  Run exported = tagger(db, "export", {"--if-exists"});
  CHECK(exported.exit_code == 0);
  CHECK(nlohmann::json::parse(exported.out)["packages"].empty());
  // A link to a file that does not exist is no store either, and a writer
  // does not create one through it.
  std::string link = dir.path() + "/link.db";
  fs::create_symlink(db, link);
  Run linked = tagger(link, "show");
  CHECK(linked.exit_code == 3);
  CHECK(linked.err == "abitag: " + link + ": no tag store here (a link to " + db + ", which does not exist)\n");
  CHECK(tagger(link, "show", {"--if-exists"}).exit_code == 0);
  Run write = tagger(link, "set", {"a:0", "k", "v"});
  CHECK(write.exit_code == 3);
  CHECK(write.err == "abitag: " + link + ": a link to " + db +
                         ", which does not exist (a new store is made only where there is no file)\n");
  CHECK(!fs::exists(dir.path() + "/none"));
  CHECK(fs::is_symlink(link));
}

TEST_CASE("usage errors: blank ids or keys, unknown analyzers or their options exit 2, and bad analyzer input records nothing",
          "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  CHECK(tagger(db, "set", {"a 0", "k", "v"}).exit_code == 2);
  CHECK(tagger(db, "set", {"a:0", "", "v"}).exit_code == 2);
  CHECK(tagger(db, "set", {"a:0", "k", "two\nlines"}).exit_code == 2);
  CHECK(tagger(db, "set", {"a:0", "k"}).exit_code == 2);
  CHECK(tagger(db, "check", {"--format", "portage"}).exit_code == 2);
  Run unknown = tagger(db, "tag", {"a:0", "nosuch", "/"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err == "abitag: no analyzer named 'nosuch' ('abitag analyzers' lists them)\n");
  require_ok(tagger(db, "set", {"a:0", "cxxabi", "before"}));
  Run bad = tagger(db, "tag", {"a:0", "cxxabi", fixture("cxxabi/bad")});
  CHECK(bad.exit_code == 3);
  CHECK(bad.out.empty());
  CHECK(bad.err == run(abitag_binary(), {"cxxabi", fixture("cxxabi/bad")}).err);
  CHECK(sqlite_rows(db, "SELECT value FROM tags") == std::vector<std::string>{"before"});
  Run bad_option = tagger(db, "tag", {"a:0", "cxxabi", "--scheme", "bogus", fixture("cxxabi/new-O2")});
  CHECK(bad_option.exit_code == 2);
  CHECK(bad_option.err.rfind("abitag: cxxabi: --scheme", 0) == 0);
  CHECK(sqlite_rows(db, "SELECT value FROM tags") == std::vector<std::string>{"before"});
  Run help = run(abitag_binary(), {"check", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("Exit codes:") != std::string::npos);
}

TEST_CASE("tag whose analysis fails creates no store, and a store it could not create fails before the analysis",
          "[tagger][cli]") {
  TempDir dir;
  std::string empty = dir.path() + "/empty", db = dir.path() + "/new/tags.db";
  fs::create_directory(empty);
  auto nothing_made = [&] {
    std::vector<std::string> entries;
    for (const fs::directory_entry &entry : fs::directory_iterator(dir.path()))
      entries.push_back(entry.path().filename().string());
    CHECK(entries == std::vector<std::string>{"empty"});
  };
  Run sbcl = tagger(db, "tag", {"dev-lisp/app:0", "sbcl", empty});
  CHECK(sbcl.exit_code == 3);
  CHECK(sbcl.out.empty());
  CHECK(sbcl.err == "abitag: " + empty + ": no SBCL core or runtime here\n");
  nothing_made();
  // No value (a field the package lacks), or a bad analyzer option: no store either.
  std::string conf = fixture("ghc/db-good/tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s.conf");
  CHECK(tagger(db, "tag", {"dev-haskell/foo:0", "ghc", "--field", "maintainer", conf}).exit_code == 3);
  CHECK(tagger(db, "tag", {"a:0", "cxxabi", "--scheme", "bogus", fixture("cxxabi/new-O2")}).exit_code == 2);
  nothing_made();
  // Where no store can be (under a file, or a new folder under a file), tag
  // says so before it analyzes.
  write_file(dir.path() + "/file", "x");
  std::string under_file = dir.path() + "/file/tags.db";
  Run blocked = tagger(under_file, "tag", {"dev-lisp/app:0", "sbcl", empty});
  CHECK(blocked.exit_code == 3);
  CHECK(blocked.err == "abitag: " + under_file + ": cannot be reached: Not a directory\n");
  std::string deeper = dir.path() + "/file/new/tags.db";
  Run deeper_blocked = tagger(deeper, "tag", {"dev-lisp/app:0", "sbcl", empty});
  CHECK(deeper_blocked.exit_code == 3);
  CHECK(deeper_blocked.err == "abitag: " + deeper + ": cannot be reached: Not a directory\n");
  fs::remove(dir.path() + "/file");
  // A folder this user may not add to (root may add to any: be nobody).
  std::string locked = dir.path() + "/locked";
  fs::create_directory(locked);
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  std::vector<std::string> args = {"tag", "--db", locked + "/new/tags.db", "dev-lisp/app:0", "sbcl", empty};
  if (::geteuid() == 0) {
    require_tool("setpriv", "util-linux");
    args.insert(args.begin(), {"--reuid=65534", "--regid=65534", "--clear-groups", abitag_binary()});
  }
  Run denied = ::geteuid() == 0 ? run("setpriv", args) : run(abitag_binary(), args);
  CHECK(denied.exit_code == 3);
  CHECK(denied.err == "abitag: " + locked + "/new/tags.db: cannot create the store: Permission denied\n");
  fs::remove(locked);
  // Once the value is known, the store and its folder are made.
  Run tagged = tagger(db, "tag", {"dev-libs/new:0", "cxxabi", fixture("cxxabi/new-O2")});
  require_ok(tagged);
  CHECK(sqlite_rows(db, "SELECT package, key FROM tags") == std::vector<std::string>{"dev-libs/new:0|cxxabi"});
}

TEST_CASE("a version 1 store is upgraded in place with its data, and a newer or foreign one is refused",
          "[tagger][cli]") {
  require_tool("sqlite3", "sqlite3");
  TempDir dir;
  std::string db = dir.path() + "/old.db";
  // The version 1 schema, as the first abitag release wrote it.
  Run made = run("sqlite3", {db, old_schema(1) +
                                 "INSERT INTO tags VALUES ('a:0', 'k', 'old', 'manual', 1);"
                                 "INSERT INTO locks VALUES ('b:0', 'a:0', 'k', 'old', 1);"
                                 "PRAGMA user_version=1;"});
  REQUIRE(made.exit_code == 0);
  CHECK(tagger(db, "check").exit_code == 0); // a reader reads version 1 as it is
  CHECK(sqlite_rows(db, "PRAGMA user_version") == std::vector<std::string>{"1"});
  CHECK(sqlite_rows(db, "PRAGMA journal_mode") == std::vector<std::string>{"wal"}); // as that release kept it
  require_ok(tagger(db, "set", {"a:0", "k", "new"}));
  CHECK(sqlite_rows(db, "PRAGMA user_version") == std::vector<std::string>{"3"});
  CHECK(sqlite_rows(db, "PRAGMA journal_mode") == std::vector<std::string>{"delete"}); // the writer switched it
  CHECK(!fs::exists(db + "-wal"));
  CHECK(sqlite_rows(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'locks_by_dependency'") ==
        std::vector<std::string>{"locks_by_dependency"});
  CHECK(tagger(db, "check", {"--format", "lines"}).out == "b:0\n");

  std::string newer = dir.path() + "/newer.db";
  REQUIRE(run("sqlite3", {newer, "CREATE TABLE t (x); PRAGMA user_version=99;"}).exit_code == 0);
  Run refused = tagger(newer, "set", {"a:0", "k", "v"});
  CHECK(refused.exit_code == 3);
  CHECK(refused.err == "abitag: " + newer + ": store schema version 99 is newer than this abitag's (3)\n");
  std::string foreign = dir.path() + "/foreign.db";
  REQUIRE(run("sqlite3", {foreign, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"}).exit_code == 0);
  Run not_ours = tagger(foreign, "set", {"a:0", "k", "v"});
  CHECK(not_ours.exit_code == 3);
  CHECK(not_ours.err == "abitag: " + foreign + ": not an abitag store: a SQLite database without abitag's schema\n");
  CHECK(sqlite_rows(foreign, "SELECT name FROM sqlite_master") == std::vector<std::string>{"t"});
}

TEST_CASE("tag records the analyzer's options and its paths as seen inside --root, and export carries them",
          "[tagger][cli]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db", root = dir.path() + "/image";
  std::filesystem::create_directories(root + "/usr/lib");
  std::filesystem::copy_file(fixture("cxxabi/new-O2/libnew.so"), root + "/usr/lib/libnew.so");
  // Options before and after the path, one of them --root, which is not kept.
  Run tagged = tagger(db, "tag", {"dev-libs/new:0", "cxxabi", "--scheme", "abi", "--root", root,
                                  root + "/usr/lib/", "--compiler=cc"});
  require_ok(tagged);
  CHECK(tagged.out == run(abitag_binary(), {"cxxabi", "--scheme", "abi", root + "/usr/lib"}).out);
  CHECK(sqlite_rows(db, "SELECT arguments FROM tags") ==
        std::vector<std::string>{R"({"options":["--scheme","abi","--compiler=cc"],"paths":["/usr/lib"]})"});
  // Without --root the path is the absolute one, also when given relative.
  Run relative = run("sh", {"-c", "cd " + root + "/usr && " + abitag_binary() + " tag --db " + db +
                                      " dev-libs/other:0 cxxabi lib/../lib/libnew.so"});
  require_ok(relative);
  require_ok(tagger(db, "set", {"a:0", "k", "manual value"}));
  CHECK(sqlite_rows(db, "SELECT package, quote(arguments) FROM tags ORDER BY package") ==
        std::vector<std::string>{"a:0|NULL", "dev-libs/new:0|'{\"options\":[\"--scheme\",\"abi\",\"--compiler=cc\"],"
                                             "\"paths\":[\"/usr/lib\"]}'",
                                 "dev-libs/other:0|'{\"options\":[],\"paths\":[\"" + root + "/usr/lib/libnew.so\"]}'"});

  // A flag takes no value: the path after it is a path.
  std::string conf = fixture("ghc/db-good/tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s.conf");
  require_ok(tagger(db, "tag", {"dev-haskell/tinylib:0", "ghc", "--tag", conf}));
  CHECK(sqlite_rows(db, "SELECT arguments FROM tags WHERE package = 'dev-haskell/tinylib:0'") ==
        std::vector<std::string>{R"({"options":["--tag"],"paths":[")" + conf + R"("]})"});
  require_ok(tagger(db, "forget", {"dev-haskell/tinylib:0"}));

  Run exported = tagger(db, "export");
  require_ok(exported);
  auto document = nlohmann::json::parse(exported.out);
  CHECK(document["packages"]["dev-libs/new:0"]["tags"]["cxxabi"]["arguments"] ==
        nlohmann::json{{"options", {"--scheme", "abi", "--compiler=cc"}}, {"paths", {"/usr/lib"}}});
  CHECK(!document["packages"]["a:0"]["tags"]["k"].contains("arguments"));
  std::string copy = dir.path() + "/copy.db";
  require_ok(tagger(copy, "import", {}, exported.out));
  CHECK(sqlite_rows(copy, "SELECT package, quote(arguments) FROM tags ORDER BY package") ==
        sqlite_rows(db, "SELECT package, quote(arguments) FROM tags ORDER BY package"));
  CHECK(tagger(copy, "export").out == exported.out);

  document["packages"]["dev-libs/new:0"]["tags"]["cxxabi"]["arguments"]["paths"] = {"/usr/lib", 7};
  Run malformed = tagger(copy, "import", {"--replace"}, document.dump());
  CHECK(malformed.exit_code == 3);
  CHECK(malformed.err == "abitag: (stdin): packages.dev-libs/new:0.tags.cxxabi.arguments.paths: must be an array "
                         "of strings\n");
}

TEST_CASE("a version 2 store is read as it is and upgraded to keep arguments by the first writer", "[tagger][cli]") {
  require_tool("sqlite3", "sqlite3");
  TempDir dir;
  std::string db = dir.path() + "/v2.db";
  // The version 2 schema, as abitag wrote it before arguments were kept.
  Run made = run("sqlite3", {db, old_schema(2) +
                                 "INSERT INTO tags VALUES ('a:0', 'cxxabi', 'old', 'cxxabi', 1);"
                                 "INSERT INTO locks VALUES ('b:0', 'a:0', 'cxxabi', 'old', 1);"
                                 "PRAGMA user_version=2;"});
  REQUIRE(made.exit_code == 0);
  Run shown = tagger(db, "show", {"--json"});
  require_ok(shown);
  CHECK(nlohmann::json::parse(shown.out)["packages"]["a:0"]["tags"]["cxxabi"] ==
        nlohmann::json{{"value", "old"}, {"source", "cxxabi"}, {"time", 1}});
  CHECK(tagger(db, "check").exit_code == 0);
  CHECK(sqlite_rows(db, "PRAGMA user_version") == std::vector<std::string>{"2"});
  require_ok(tagger(db, "tag", {"c:0", "cxxabi", fixture("cxxabi/capi")}));
  CHECK(sqlite_rows(db, "PRAGMA user_version") == std::vector<std::string>{"3"});
  CHECK(sqlite_rows(db, "SELECT package, value, quote(arguments) FROM tags ORDER BY package") ==
        std::vector<std::string>{"a:0|old|NULL",
                                 "c:0|compat|'{\"options\":[],\"paths\":[\"" + fixture("cxxabi/capi") + "\"]}'"});
  CHECK(tagger(db, "check").exit_code == 0);
}
