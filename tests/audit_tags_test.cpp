// SPDX-License-Identifier: MIT
// The audit's tags section on stores made by the real abitag (tag, lock) over
// a fixture ROOT: stale locks as `abitag check` reports them, recorded values
// the installed files no longer give, damaged and old stores. The store must
// come out of every audit byte for byte as it went in.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "tests/tagger_support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const std::string kStore = "/var/lib/abitag/tags.db";

// ROOT with one C library at /usr/lib/libbase.so.
struct Root {
  TempDir dir;
  std::string root = dir.path() + "/root";
  std::string store = root + kStore;
  std::string library = root + "/usr/lib/libbase.so";
  Root() {
    fs::create_directories(root + "/usr/lib");
    fs::copy_file(fixture("cxxabi/capi/libcapi.so"), library);
  }
  // base tagged by the cxxabi analyzer (its abi scheme reads only the files),
  // top locked on it.
  void record() {
    require_ok(tagger(store, "tag", {"dev-libs/base:0", "cxxabi", "--scheme", "abi", "--root", root, library}));
    require_ok(tagger(store, "set", {"app-misc/top:0", "k", "1"}));
    require_ok(tagger(store, "lock", {"app-misc/top:0", "dev-libs/base:0", "cxxabi"}));
    require_ok(tagger(store, "lock", {"app-misc/leaf:0", "app-misc/top:0", "k"}));
  }
  // The section's JSON report; the store and its folder must be as before.
  nlohmann::json audit(int expected_exit, std::vector<std::string> extra = {}) {
    std::string folder = fs::path(store).parent_path();
    std::set<std::string> before_files;
    for (const auto &entry : fs::directory_iterator(folder))
      before_files.insert(entry.path().filename());
    std::string before = read_file(store);
    std::vector<std::string> args{"audit", root, "--only", "tags", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    Run r = run(abitag_binary(), args);
    CHECK(r.exit_code == expected_exit);
    CHECK(r.err.empty());
    CHECK(read_file(store) == before);
    std::set<std::string> after_files;
    for (const auto &entry : fs::directory_iterator(folder))
      after_files.insert(entry.path().filename());
    CHECK(after_files == before_files); // no -wal, no -shm
    return nlohmann::json::parse(r.out);
  }
};

} // namespace

TEST_CASE("audit tags: a clean store reports nothing and its values are computed again", "[audit][tags]") {
  Root r;
  r.record();
  nlohmann::json doc = r.audit(0);
  CHECK(doc["findings"].empty());
  const nlohmann::json &summary = doc["sections"]["tags"];
  CHECK(summary["store"] == kStore);
  CHECK(summary["found"] == true);
  CHECK(summary["schema"] == 3);
  CHECK(summary["stale_locks"] == 0);
  CHECK(summary["rerun"] == nlohmann::json{{"equal", 1}, {"changed", 0}, {"not_run", 0}, {"manual", 1},
                                           {"without_arguments", 0}});
  Run text = run(abitag_binary(), {"audit", r.root, "--only", "tags"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("tags: tag store /var/lib/abitag/tags.db: 3 packages, 2 tags, 2 locks, 0 stale") !=
        std::string::npos);
}

TEST_CASE("audit tags: a library changed since its tag was recorded puts its lockers at risk", "[audit][tags]") {
  Root r;
  r.record();
  // The seed scheme hashes this machine's compiler: not judged from the files.
  require_ok(tagger(r.store, "tag", {"dev-libs/seeded:0", "cxxabi", "--root", r.root, r.library}));
  fs::copy_file(fixture("cxxabi/new-O2/libnew.so"), r.library, fs::copy_options::overwrite_existing);
  std::string now = run(abitag_binary(), {"cxxabi", "--scheme", "abi", r.library}).out;
  REQUIRE(now == "libstdc++-cxx11\n");
  nlohmann::json doc = r.audit(0); // at risk only: nothing is stale yet
  REQUIRE(doc["findings"].size() == 2);
  const nlohmann::json &changed = doc["findings"][0];
  CHECK(changed["severity"] == "at-risk");
  CHECK(changed["kind"] == "tag-changed");
  CHECK(changed["file"] == "/usr/lib/libbase.so");
  CHECK(changed["details"]["recorded"] == "compat");
  CHECK(changed["details"]["now"] == "libstdc++-cxx11");
  CHECK(changed["rebuild"] == nlohmann::json{"app-misc/top:0", "app-misc/leaf:0"});
  const nlohmann::json &seeded = doc["findings"][1];
  CHECK(seeded["severity"] == "informational");
  CHECK(seeded["kind"] == "tag-not-rerun");
  CHECK(seeded["reason"].get<std::string>().find("compiler") != std::string::npos);

  // The prediction holds: once base is tagged again, check finds top stale.
  require_ok(tagger(r.store, "tag", {"dev-libs/base:0", "cxxabi", "--scheme", "abi", "--root", r.root, r.library}));
  Run check = tagger(r.store, "check", {"--json"});
  CHECK(check.exit_code == 1);
  nlohmann::json checked = nlohmann::json::parse(check.out);
  CHECK(checked["rebuild"] == changed["rebuild"]);

  // Now the lock is stale: broken now, with check's verdict and order.
  doc = r.audit(1);
  std::vector<nlohmann::json> stale;
  for (const auto &finding : doc["findings"])
    if (finding["kind"] == "stale-lock")
      stale.push_back(finding);
  REQUIRE(stale.size() == checked["stale"].size());
  CHECK(stale[0]["severity"] == "broken-now");
  CHECK(stale[0]["file"] == kStore);
  CHECK(stale[0]["details"]["package"] == checked["stale"][0]["package"]);
  CHECK(stale[0]["details"]["locked"] == "compat");
  CHECK(stale[0]["details"]["current"] == "libstdc++-cxx11");
  CHECK(stale[0]["rebuild"] == checked["rebuild"]);
  CHECK(doc["sections"]["tags"]["rebuild"] == checked["rebuild"]);
  CHECK(doc["sections"]["tags"]["rerun"]["equal"] == 1); // base's new value is what is installed
}

TEST_CASE("audit tags: a library gone is noted, not judged", "[audit][tags]") {
  Root r;
  r.record();
  fs::remove(r.library);
  nlohmann::json doc = r.audit(0);
  REQUIRE(doc["findings"].size() == 1);
  CHECK(doc["findings"][0]["severity"] == "informational");
  CHECK(doc["findings"][0]["file"] == "/usr/lib/libbase.so");
  CHECK(doc["findings"][0]["reason"].get<std::string>().find("/usr/lib/libbase.so: No such file") !=
        std::string::npos);
}

TEST_CASE("audit tags: a damaged store is one finding and the other sections still run", "[audit][tags]") {
  for (std::string damage : {"garbage", "truncated"}) {
    DYNAMIC_SECTION(damage) {
      Root r;
      r.record();
      std::string bytes = read_file(r.store);
      REQUIRE(bytes.size() > 8192);
      write_file(r.store, damage == "garbage" ? std::string(bytes.size(), 'x') : bytes.substr(0, bytes.size() / 2));
      fs::create_directories(r.root + "/var/lib/ghc/package.conf.d");
      nlohmann::json doc = r.audit(0, {"--only", "ghc"});
      REQUIRE(doc["findings"].size() == 1);
      CHECK(doc["findings"][0]["severity"] == "at-risk");
      CHECK(doc["findings"][0]["kind"] == "unusable-store");
      CHECK(doc["findings"][0]["file"] == kStore);
      CHECK(doc["findings"][0]["reason"].get<std::string>().rfind("the tag store cannot be read: ", 0) == 0);
      CHECK(doc["sections"]["ghc"]["databases"] == 1);
      // abitag check agrees that the store is unusable.
      CHECK(tagger(r.store, "export").exit_code == 3);
    }
  }
}

TEST_CASE("audit tags: a version 2 store is read as it is", "[audit][tags]") {
  require_tool("sqlite3", "sqlite3");
  Root r;
  fs::create_directories(fs::path(r.store).parent_path());
  // The version 2 schema, as abitag wrote it before arguments were kept.
  Run made = run("sqlite3", {r.store, old_schema(2) +
                                      "INSERT INTO tags VALUES ('a:0', 'cxxabi', 'new', 'cxxabi', 1);"
                                      "INSERT INTO locks VALUES ('b:0', 'a:0', 'cxxabi', 'old', 1);"
                                      "PRAGMA user_version=2;"});
  require_ok(made);
  nlohmann::json doc = r.audit(1);
  REQUIRE(doc["findings"].size() == 1);
  CHECK(doc["findings"][0]["kind"] == "stale-lock");
  CHECK(doc["findings"][0]["rebuild"] == nlohmann::json{"b:0"});
  CHECK(doc["sections"]["tags"]["schema"] == 2);
  CHECK(doc["sections"]["tags"]["rerun"]["without_arguments"] == 1);
  CHECK(sqlite_rows(r.store, "PRAGMA user_version") == std::vector<std::string>{"2"});
}

TEST_CASE("audit tags: no store is said in the summary, --db names another inside ROOT", "[audit][tags]") {
  Root r;
  Run none = run(abitag_binary(), {"audit", r.root, "--only", "tags"});
  CHECK(none.exit_code == 0);
  CHECK(none.out.find("tags: no tag store at /var/lib/abitag/tags.db") != std::string::npos);
  CHECK(!fs::exists(r.store));
  CHECK(!fs::exists(fs::path(r.store).parent_path()));

  r.store = r.root + "/srv/tags.db";
  r.record();
  nlohmann::json doc = r.audit(0, {"--db", "/srv/tags.db"});
  CHECK(doc["sections"]["tags"]["store"] == "/srv/tags.db");
  CHECK(doc["sections"]["tags"]["tags"] == 2);
  Run relative = run(abitag_binary(), {"audit", r.root, "--only", "tags", "--db", "srv/tags.db"});
  CHECK(relative.exit_code == 2);

  // A loop where the store's folder should be: not "no store", a finding.
  fs::create_directories(r.root + "/var/lib");
  fs::create_symlink("abitag", r.root + "/var/lib/abitag");
  Run loop = run(abitag_binary(), {"audit", r.root, "--only", "tags", "--json"});
  CHECK(loop.exit_code == 0);
  nlohmann::json looped = nlohmann::json::parse(loop.out);
  REQUIRE(looped["findings"].size() == 1);
  CHECK(looped["findings"][0]["kind"] == "unusable-store");
  CHECK(looped["findings"][0]["reason"] == "the tag store cannot be reached: too many levels of symbolic links");
}

TEST_CASE("audit tags: commits still in the WAL are read, and the WAL is left as it is", "[audit][tags]") {
  require_tool("sqlite3", "sqlite3");
  for (std::string shm : {"with its -shm", "copied without -shm"}) {
    DYNAMIC_SECTION(shm) {
      Root r;
      r.record();
      // A store in WAL mode, as an abitag before the rollback journal kept
      // it, and a writer that has not checkpointed: base's new value is only
      // in the WAL.
      Run wrote = run("sqlite3", {r.store}, ".dbconfig no_ckpt_on_close on\n"
                                            "PRAGMA journal_mode=WAL;\n"
                                            "UPDATE tags SET value = 'rebuilt' WHERE package = 'dev-libs/base:0';\n");
      require_ok(wrote);
      REQUIRE(fs::exists(r.store + "-wal"));
      if (shm == "copied without -shm")
        fs::remove(r.store + "-shm");
      std::string wal = read_file(r.store + "-wal");
      nlohmann::json doc = r.audit(1); // also: no file appears or goes in the store's folder
      CHECK(read_file(r.store + "-wal") == wal);
      REQUIRE(doc["findings"].size() == 2);
      CHECK(doc["findings"][0]["kind"] == "stale-lock");
      CHECK(doc["findings"][0]["details"]["current"] == "rebuilt");
      CHECK(doc["findings"][1]["kind"] == "tag-changed"); // the files still give compat
      CHECK(doc["findings"][1]["details"]["recorded"] == "rebuilt");
    }
  }
}

TEST_CASE("audit tags: a transaction cut off mid-write is rolled back in a copy, the journal left as it is",
          "[audit][tags]") {
  Root r;
  r.record();
  std::uintmax_t recorded_size = fs::file_size(r.store);
  const std::string kTagsQuery = "SELECT package, value FROM tags ORDER BY package";
  std::vector<std::string> recorded = sqlite_rows(r.store, kTagsQuery);
  // The store and its journal copied in the middle of a transaction that has
  // spilled pages into the store file: what a writer killed there leaves.
  std::string cut = r.dir.path() + "/cut.db";
  Run wrote = run("sqlite3", {r.store}, "PRAGMA cache_size=10;\n"
                                        "BEGIN;\n"
                                        "UPDATE tags SET value = 'rebuilt' WHERE package = 'dev-libs/base:0';\n"
                                        "INSERT INTO tags VALUES ('x:0', 'k', hex(randomblob(200000)), 'manual', 1, NULL);\n"
                                        "INSERT INTO locks VALUES ('x:0', 'y:0', 'k', hex(randomblob(200000)), 1);\n"
                                        ".shell cp " + r.store + " " + cut + " && cp " + r.store + "-journal " + cut +
                                        "-journal\n"
                                        "ROLLBACK;\n");
  require_ok(wrote);
  fs::rename(cut, r.store);
  fs::rename(cut + "-journal", r.store + "-journal");
  // The cut transaction is in the file: read as it is, the tags differ (or
  // do not read at all).
  REQUIRE(fs::file_size(r.store) > recorded_size + 100'000);
  REQUIRE(sqlite_rows("file:" + r.store + "?immutable=1", kTagsQuery) != recorded);
  std::string journal = read_file(r.store + "-journal");
  nlohmann::json doc = r.audit(0); // as recorded: base unchanged, no x:0
  CHECK(doc["findings"].empty());
  CHECK(doc["sections"]["tags"]["tags"] == 2);
  CHECK(read_file(r.store + "-journal") == journal);
}

TEST_CASE("audit tags: a ghc --tag recorded from a registration file is run again with its flag", "[audit][tags]") {
  Root r;
  std::string conf = r.root + "/usr/share/tinylib/tinylib.conf";
  fs::create_directories(fs::path(conf).parent_path());
  fs::copy_file(fixture("ghc/db-good/tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s.conf"), conf);
  Run tagged = tagger(r.store, "tag", {"dev-haskell/tinylib:0", "ghc", "--tag", "--root", r.root, conf});
  require_ok(tagged);
  require_ok(tagger(r.store, "lock", {"dev-haskell/user:0", "dev-haskell/tinylib:0", "ghc"}));
  CHECK(r.audit(0)["findings"].empty());

  // Rebuilt with the same id but another ABI hash: --tag's value changes.
  std::string text = read_file(conf);
  std::size_t abi = text.find("e7b1f9d6eef442698aa888701e2ef5ff");
  REQUIRE(abi != std::string::npos);
  write_file(conf, text.replace(abi, 32, std::string(32, '0')));
  nlohmann::json doc = r.audit(0);
  REQUIRE(doc["findings"].size() == 1);
  CHECK(doc["findings"][0]["kind"] == "tag-changed");
  CHECK(doc["findings"][0]["file"] == "/usr/share/tinylib/tinylib.conf");
  CHECK(doc["findings"][0]["details"]["now"].get<std::string>() + "\n" ==
        run(abitag_binary(), {"ghc", "--tag", conf}).out);
  CHECK(doc["findings"][0]["details"]["now"] != doc["findings"][0]["details"]["recorded"]);
  CHECK(doc["findings"][0]["rebuild"] == nlohmann::json{"dev-haskell/user:0"});
}
