// SPDX-License-Identifier: MIT
// The store under the ways installs go wrong: parallel writers, a writer
// killed mid-command, a damaged or read-only file, a bad import. In each, what
// was recorded before must still be there, exactly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <random>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/tagger_support.h"

extern char **environ;

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

std::string file_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A store with a few packages, tags and locks.
void fill(const std::string &db) {
  REQUIRE(tagger(db, "set", {"dev-libs/a:0", "cxxabi", "one"}).exit_code == 0);
  REQUIRE(tagger(db, "set", {"dev-libs/b:0", "cxxabi", "two"}).exit_code == 0);
  REQUIRE(tagger(db, "lock", {"dev-libs/b:0", "dev-libs/a:0", "cxxabi"}).exit_code == 0);
}

std::string export_of(const std::string &db) {
  Run r = tagger(db, "export");
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// An export document of N packages with a tag and a lock each.
std::string big_export(int packages) {
  // nlohmann::json, not ordered_json: its object lookups stay logarithmic.
  nlohmann::json doc{{"format", "abitag-store"}, {"version", 1}};
  nlohmann::json &all = doc["packages"];
  for (int i = 0; i < packages; ++i) {
    std::string id = "cat/pkg" + std::to_string(i) + ":0";
    all[id]["tags"]["k"] = {{"value", "value-" + std::to_string(i)}, {"source", "manual"}, {"time", i}};
    all[id]["locks"] = {{{"dependency", "cat/pkg" + std::to_string(i / 2) + ":0"}, {"key", "k"},
                         {"value", "value-" + std::to_string(i / 2)}, {"time", i}}};
  }
  return doc.dump();
}

Run as_nobody(const std::vector<std::string> &args, const std::string &input = "") {
  std::vector<std::string> full{"--reuid=65534", "--regid=65534", "--clear-groups", abitag_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run("setpriv", full, input);
}

} // namespace

TEST_CASE("16 abitag processes writing at once: every write lands", "[tagger][safety]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  constexpr int kWriters = 16, kEach = 6;
  std::vector<std::future<std::vector<Run>>> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.push_back(std::async(std::launch::async, [&db, w] {
      std::vector<Run> runs;
      std::string package = "cat/writer" + std::to_string(w) + ":0";
      for (int i = 0; i < kEach; ++i) {
        runs.push_back(tagger(db, "set", {package, "key" + std::to_string(i), std::to_string(w * 100 + i)}));
        runs.push_back(tagger(db, "lock", {package, "cat/writer" + std::to_string((w + 1) % kWriters) + ":0",
                                           "key" + std::to_string(i), "locked"}));
        runs.push_back(tagger(db, "check")); // readers alongside the writers
      }
      return runs;
    }));
  for (auto &writer : writers)
    for (const Run &r : writer.get()) {
      INFO(r.err);
      CHECK(r.err.empty());
      CHECK(r.exit_code <= 1); // check exits 1: the locked values differ on purpose
    }
  CHECK(sqlite_rows(db, "SELECT count(*) FROM tags") == std::vector<std::string>{std::to_string(kWriters * kEach)});
  CHECK(sqlite_rows(db, "SELECT count(*) FROM locks") == std::vector<std::string>{std::to_string(kWriters * kEach)});
  CHECK(sqlite_rows(db, "SELECT value FROM tags WHERE package = 'cat/writer7:0' AND key = 'key5'") ==
        std::vector<std::string>{"705"});
  CHECK(sqlite_rows(db, "PRAGMA integrity_check") == std::vector<std::string>{"ok"});
}

TEST_CASE("an import killed with SIGKILL mid-write leaves the store as it was", "[tagger][safety]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db", input = dir.path() + "/big.json";
  fill(db);
  std::string before = export_of(db);
  std::ofstream(input) << big_export(100000);

  std::string binary = abitag_binary();
  std::vector<std::string> args{binary, "import", "--db", db, input};
  std::vector<char *> argv;
  for (std::string &arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid;
  REQUIRE(posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), environ) == 0);
  // Kill it once its transaction has spilled pages into the store file
  // itself, what they replaced kept in the journal: it is writing, and has
  // not committed. Bounded: at most 60 s of polling.
  std::uintmax_t size_before = fs::file_size(db);
  bool writing = false;
  for (int waited = 0; waited < 60000 && !writing; ++waited) {
    std::error_code ignored;
    writing = fs::exists(db + "-journal") && fs::file_size(db, ignored) > size_before + 1'000'000;
    if (!writing)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(writing);
  ::kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status)); // killed, not finished
  CHECK(WTERMSIG(status) == SIGKILL);

  REQUIRE(fs::exists(db + "-journal"));
  CHECK(export_of(db) == before); // the reader rolls the journal back
  CHECK(!fs::exists(db + "-journal"));
  CHECK(sqlite_rows(db, "PRAGMA integrity_check") == std::vector<std::string>{"ok"});
  CHECK(sqlite_rows(db, "SELECT count(*) FROM tags") == std::vector<std::string>{"2"});
  // The store keeps working, and the same import then lands whole.
  REQUIRE(tagger(db, "import", {input}).exit_code == 0);
  CHECK(sqlite_rows(db, "SELECT count(*) FROM tags") == std::vector<std::string>{"100002"});
}

TEST_CASE("garbage in place of the store: one line, exit 3, the file untouched", "[tagger][safety]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  std::string garbage(16384, '\0');
  std::mt19937 random(3);
  for (char &c : garbage)
    c = static_cast<char>(random());
  std::ofstream(db, std::ios::binary) << garbage;
  const std::string expected = "abitag: " + db + ": not a usable abitag store: file is not a database\n";
  for (const std::vector<std::string> &args :
       std::vector<std::vector<std::string>>{{"set", "a:0", "k", "v"}, {"lock", "a:0", "b:0", "k", "v"},
                                             {"forget", "a:0"}, {"check"}, {"show"}, {"export"}}) {
    std::vector<std::string> full{args[0], "--db", db};
    full.insert(full.end(), args.begin() + 1, args.end());
    Run r = run(abitag_binary(), full);
    INFO(args[0]);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err == expected);
  }
  Run imported = tagger(db, "import", {}, big_export(3));
  CHECK(imported.exit_code == 3);
  CHECK(imported.err == expected);
  CHECK(file_bytes(db) == garbage);
}

TEST_CASE("a store damaged inside: check reports it in one line instead of a verdict", "[tagger][safety]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  REQUIRE(tagger(db, "import", {}, big_export(3000)).exit_code == 0);
  std::string before = file_bytes(db);
  REQUIRE(before.size() > 40000);
  {
    // Overwrite pages in the middle of the file (the WAL was merged back
    // when the last writer closed).
    REQUIRE(!fs::exists(db + "-wal"));
    std::fstream file(db, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(static_cast<std::streamoff>(before.size() / 2));
    std::string junk(12288, '\x5a');
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::string damaged = file_bytes(db);
  Run r = tagger(db, "check");
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK(lines(r.err).size() == 1);
  CHECK(r.err.rfind("abitag: " + db + ": not a usable abitag store: ", 0) == 0);
  CHECK(tagger(db, "export").exit_code == 3);
  CHECK(file_bytes(db) == damaged);
}

TEST_CASE("a read-only store: writers fail in one line with exit 3, readers still read", "[tagger][safety]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  fill(db);
  std::string before = file_bytes(db);
  std::vector<std::vector<std::string>> writes{{"set", "--db", db, "c:0", "k", "v"},
                                               {"lock", "--db", db, "c:0", "dev-libs/a:0", "cxxabi"},
                                               {"forget", "--db", db, "dev-libs/a:0"}};
  if (::geteuid() == 0) {
    // root writes everywhere: be nobody, who may read the store but not write it.
    require_tool("setpriv", "util-linux");
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
    Run read = as_nobody({"show", "--db", db, "dev-libs/b:0"});
    if (read.err.find("Permission denied") != std::string::npos && read.err.find(db) == std::string::npos)
      FAIL("nobody cannot execute " + abitag_binary() + ": " + read.err);
    INFO(read.err);
    CHECK(read.exit_code == 0);
    CHECK(read.out.find("lock dev-libs/a:0 cxxabi=one") != std::string::npos);
    for (const auto &args : writes) {
      Run r = as_nobody(args);
      CHECK(r.exit_code == 3);
      CHECK(r.out.empty());
      CHECK(r.err == "abitag: " + db + ": store is read-only: Permission denied\n");
    }
    Run import = as_nobody({"import", "--db", db, "-"});
    CHECK(import.exit_code == 3);
  } else {
    fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    for (const auto &args : writes) {
      Run r = run(abitag_binary(), args);
      CHECK(r.exit_code == 3);
      CHECK(r.err == "abitag: " + db + ": store is read-only: Permission denied\n");
    }
  }
  CHECK(file_bytes(db) == before);
  CHECK(sqlite_rows(db, "SELECT package, key, value FROM tags ORDER BY package") ==
        std::vector<std::string>{"dev-libs/a:0|cxxabi|one", "dev-libs/b:0|cxxabi|two"});
}

TEST_CASE("a malformed or invalid import changes nothing, not even its valid part", "[tagger][safety]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  fill(db);
  std::string before = export_of(db);
  std::string good = big_export(10);

  Run truncated = tagger(db, "import", {}, good.substr(0, good.size() / 2));
  CHECK(truncated.exit_code == 3);
  CHECK(truncated.out.empty());
  REQUIRE(lines(truncated.err).size() == 1);
  CHECK(truncated.err.rfind("abitag: (stdin): malformed JSON: line ", 0) == 0);

  // Valid JSON, nine good packages, then one bad lock: none of it lands.
  auto doc = nlohmann::ordered_json::parse(good);
  doc["packages"]["cat/pkg9:0"]["locks"][0]["time"] = "yesterday";
  std::string file = dir.path() + "/bad.json";
  std::ofstream(file) << doc.dump();
  Run invalid = tagger(db, "import", {"--replace", file});
  CHECK(invalid.exit_code == 3);
  CHECK(invalid.err ==
        "abitag: " + file + ": packages.cat/pkg9:0.locks[0].time: must be an integer (seconds since the epoch)\n");

  Run wrong = tagger(db, "import", {}, R"({"packages": {}})");
  CHECK(wrong.exit_code == 3);
  CHECK(wrong.err == "abitag: (stdin): not an abitag export: \"format\" must be \"abitag-store\"\n");
  Run blank = tagger(db, "import", {}, R"({"format": "abitag-store", "version": 1, "packages": {"a b": {}}})");
  CHECK(blank.exit_code == 0); // a package without tags or locks records nothing
  Run blank_key = tagger(db, "import", {},
                         R"({"format": "abitag-store", "version": 1, "packages": {"a:0": {"tags": )"
                         R"({"k k": {"value": "v", "source": "manual", "time": 1}}}}})");
  CHECK(blank_key.exit_code == 3);
  CHECK(export_of(db) == before);
}

namespace {

// A file system mounted for one test and unmounted with it; mounted() is
// false where the sandbox refuses (mount needs root), and the test is then
// skipped.
class Mount {
public:
  Mount(const std::string &at, const std::vector<std::string> &how) : at_(at) {
    fs::create_directories(at);
    if (::geteuid() != 0 || !have_tool("mount"))
      return;
    std::vector<std::string> args = how;
    args.push_back(at);
    Run r = run("mount", args);
    refusal_ = r.err;
    mounted_ = r.exit_code == 0;
  }
  ~Mount() {
    if (mounted_)
      run("umount", {at_});
  }
  bool mounted() const { return mounted_; }
  const std::string &refusal() const { return refusal_; }

private:
  std::string at_, refusal_;
  bool mounted_ = false;
};

// Every command abitag has on a store, readers and writers, for DB.
std::vector<std::vector<std::string>> every_store_command(const std::string &db) {
  std::vector<std::vector<std::string>> out;
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"show"}, {"show", "a:0"}, {"export"}, {"check"}, {"set", "a:0", "k", "v"}, {"lock", "a:0", "b:0", "k", "v"},
           {"lock", "a:0", "b:0", "k"}, {"forget", "a:0"}, {"import", "-"}, {"tag", "a:0", "cxxabi",
           fixture("cxxabi/new-O2")}}) {
    args.insert(args.begin() + 1, {"--db", db});
    out.push_back(args);
  }
  return out;
}

std::vector<std::string> folder_listing(const std::string &folder) {
  std::vector<std::string> out;
  for (const auto &entry : fs::directory_iterator(folder))
    out.push_back(entry.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE("what is not a store at the store's path: one line, exit 3, never made a store", "[tagger][safety]") {
  TempDir dir;
  std::string text = dir.path() + "/text", foreign = dir.path() + "/foreign.db", blank = dir.path() + "/blank.db";
  write_file(text, "a text file\n");
  REQUIRE(run("sqlite3", {foreign, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"}).exit_code == 0);
  REQUIRE(run("sqlite3", {blank, "VACUUM;"}).exit_code == 0); // another program's database, still empty
  REQUIRE(fs::file_size(blank) > 0);
  std::string fifo = dir.path() + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  struct Case {
    std::string what, path, reason;
  };
  const std::string empty_reason = "an empty file, not a tag store (abitag never leaves one empty: restore the store, "
                                   "or remove the file to start a new one)";
  const std::string foreign_reason = "not an abitag store: a SQLite database without abitag's schema";
  std::vector<Case> cases{
      {"a zero-length file", dir.path() + "/truncated.db", empty_reason},
      {"a link to /dev/null", dir.path() + "/null.db", "a character device, not a tag store"},
      {"a link to an empty file", dir.path() + "/to-empty.db", empty_reason},
      {"a text file", text, "not a usable abitag store: file is not a database"},
      {"another program's SQLite database", foreign, foreign_reason},
      {"an empty SQLite database", blank, foreign_reason},
      {"a folder", dir.path() + "/folder.db", "a folder, not a tag store"},
      {"a FIFO", fifo, "a FIFO, not a tag store"},
  };
  write_file(cases[0].path, "");
  fs::create_symlink("/dev/null", cases[1].path);
  fs::create_symlink(cases[0].path, cases[2].path);
  fs::create_directory(cases[6].path);
  std::map<std::string, std::string> bytes;
  for (const Case &c : cases)
    if (fs::is_regular_file(c.path))
      bytes[c.path] = read_file(c.path);
  std::vector<std::string> listing = folder_listing(dir.path());
  for (const Case &c : cases)
    for (const auto &args : every_store_command(c.path)) {
      INFO(c.what << ": abitag " << args[0] << " " << args.back());
      Run r = run(abitag_binary(), args, big_export(1));
      CHECK(r.exit_code == 3);
      CHECK(r.out.empty());
      CHECK(r.err == "abitag: " + c.path + ": " + c.reason + "\n");
    }
  for (const auto &[path, content] : bytes)
    CHECK(read_file(path) == content);
  CHECK(fs::read_symlink(cases[1].path) == "/dev/null");
  CHECK(fs::is_fifo(fifo));
  CHECK(fs::is_empty(cases[6].path));
  CHECK(folder_listing(dir.path()) == listing); // no journal, no store made beside them
  CHECK(sqlite_rows(foreign, "SELECT x FROM t") == std::vector<std::string>{"1"});
}

TEST_CASE("a store abitag may not read: one line naming it, exit 3, for readers and writers", "[tagger][safety]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  fill(db);
  fs::permissions(db, fs::perms::owner_read | fs::perms::owner_write);
  std::string before = read_file(db);
  if (::geteuid() != 0) {
    fs::permissions(db, fs::perms::none);
    for (const auto &args : every_store_command(db)) {
      Run r = run(abitag_binary(), args, big_export(1));
      INFO(args[0]);
      CHECK(r.exit_code == 3);
      CHECK(r.err == "abitag: " + db + ": cannot be read: Permission denied\n");
    }
    fs::permissions(db, fs::perms::owner_read | fs::perms::owner_write);
  } else {
    // root reads everything: be nobody, for whom the file (root's, 0600) is closed.
    require_tool("setpriv", "util-linux");
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
    for (const auto &args : every_store_command(db)) {
      Run r = as_nobody(args, big_export(1));
      INFO(args[0]);
      CHECK(r.exit_code == 3);
      CHECK(r.err == "abitag: " + db + ": cannot be read: Permission denied\n");
    }
  }
  CHECK(read_file(db) == before);
}

TEST_CASE("first writers at once make one store, and every write lands in it", "[tagger][safety]") {
  TempDir dir;
  std::string db = dir.path() + "/new/tags.db";
  constexpr int kWriters = 12;
  std::vector<std::future<Run>> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.push_back(std::async(std::launch::async, [&db, w] {
      return tagger(db, "set", {"cat/first" + std::to_string(w) + ":0", "k", "v"});
    }));
  for (auto &writer : writers) {
    Run r = writer.get();
    INFO(r.err);
    CHECK(r.exit_code == 0);
  }
  CHECK(sqlite_rows(db, "SELECT count(*) FROM tags") == std::vector<std::string>{std::to_string(kWriters)});
  // The losers' half-made stores are gone, and so is every journal.
  CHECK(folder_listing(dir.path() + "/new") == std::vector<std::string>{"tags.db"});
  // As readable as SQLite makes files: 0644 less the umask.
  mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK(fs::status(db).permissions() == static_cast<fs::perms>(0644 & ~mask));
}

TEST_CASE("a full disk (a real tmpfs): No space left on device, exit 4, nothing recorded is lost",
          "[tagger][safety]") {
  TempDir dir;
  std::string disk = dir.path() + "/disk";
  Mount tmpfs(disk, {"-t", "tmpfs", "-o", "size=512k", "tmpfs"});
  if (!tmpfs.mounted()) {
    skip("cannot mount a small tmpfs to fill (" + tmpfs.refusal() + ")");
  }
  std::string db = disk + "/tags.db";
  fill(db);
  std::string before = export_of(db);
  {
    // Everything left on the disk goes to one filler file.
    std::ofstream filler(disk + "/filler", std::ios::binary);
    std::string block(4096, 'x');
    while (filler.write(block.data(), block.size()) && filler.flush()) {
    }
  }
  std::vector<std::string> listing = folder_listing(disk);
  const std::string full = "abitag: " + db + ": No space left on device\n";
  Run import = tagger(db, "import", {}, big_export(2000));
  CHECK(import.exit_code == 4);
  CHECK(import.err == full);
  for (const std::vector<std::string> &args : std::vector<std::vector<std::string>>{
           {"set", "c:0", "k", "v"}, {"lock", "c:0", "dev-libs/a:0", "cxxabi"}, {"forget", "dev-libs/b:0"}}) {
    Run r = tagger(db, args[0], {args.begin() + 1, args.end()});
    INFO(args[0]);
    CHECK(r.exit_code == 4);
    CHECK(r.err == full);
  }
  // Readers need no space: the store reads as it was.
  CHECK(export_of(db) == before);
  Run check = tagger(db, "check");
  CHECK(check.exit_code == 0);
  CHECK(check.err.empty());
  CHECK(tagger(db, "show", {"dev-libs/b:0"}).out.find("lock dev-libs/a:0 cxxabi=one") != std::string::npos);
  // A new store on the full disk is not made at all.
  std::string fresh = disk + "/fresh.db";
  Run first = tagger(fresh, "set", {"a:0", "k", "v"});
  CHECK(first.exit_code == 4);
  CHECK(first.err == "abitag: " + fresh + ": No space left on device\n");
  CHECK(folder_listing(disk) == listing);
  // With room again, the store takes writes as before.
  fs::remove(disk + "/filler");
  require_ok(tagger(db, "set", {"c:0", "k", "v"}));
  CHECK(sqlite_rows(db, "PRAGMA integrity_check") == std::vector<std::string>{"ok"});
  CHECK(sqlite_rows(db, "SELECT count(*) FROM tags") == std::vector<std::string>{"3"});
}

TEST_CASE("a store on a read-only mount is shown, exported and checked, and writers say it is read-only",
          "[tagger][safety]") {
  TempDir dir;
  std::string source = dir.path() + "/source", medium = dir.path() + "/medium";
  fs::create_directories(source);
  fill(source + "/tags.db");
  // A store of an abitag before the rollback journal, in WAL mode, read as it is.
  Run made = run("sqlite3", {source + "/wal.db", old_schema(2) +
                                                     "INSERT INTO tags VALUES ('a:0', 'k', 'old', 'manual', 1);"
                                                     "PRAGMA user_version=2;"});
  REQUIRE(made.exit_code == 0);
  std::string expected = export_of(source + "/tags.db");
  Mount bound(medium, {"--bind", source});
  if (!bound.mounted()) {
    skip("cannot bind-mount a folder read-only (" + bound.refusal() + ")");
  }
  Run remount = run("mount", {"-o", "remount,bind,ro", medium});
  REQUIRE(remount.exit_code == 0);
  std::string db = medium + "/tags.db";
  std::vector<std::string> listing = folder_listing(medium);
  CHECK(export_of(db) == expected);
  Run show = tagger(db, "show", {"dev-libs/b:0"});
  CHECK(show.exit_code == 0);
  CHECK(show.out.find("lock dev-libs/a:0 cxxabi=one") != std::string::npos);
  Run check = tagger(db, "check", {"--format", "lines"});
  CHECK(check.exit_code == 0); // b locked a's current value
  CHECK(check.err.empty());
  CHECK(tagger(medium + "/wal.db", "show").out.find("k=old") != std::string::npos);
  Run written = tagger(db, "set", {"c:0", "k", "v"});
  CHECK(written.exit_code == 3);
  CHECK(written.err == "abitag: " + db + ": store is read-only: Read-only file system\n");
  CHECK(folder_listing(medium) == listing);
}
