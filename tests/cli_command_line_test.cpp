// The command line a script can trust, through the real binary: stdout
// failures that are never silent (and a closed pipe that ends abitag quietly).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support.h"
#include "tests/tagger_support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

Run abitag_cli(const std::vector<std::string> &args, const std::string &input = "") {
  return run(abitag_binary(), args, input);
}

// Runs SCRIPT in bash with $0 the abitag binary and ARGS as "$@".
Run bash(const std::string &script, std::vector<std::string> args = {}) {
  args.insert(args.begin(), {"-c", script, abitag_binary()});
  return run("bash", args);
}

// abitag ARGS with stdout on /dev/full, where every write fails.
Run to_full_disk(const std::vector<std::string> &args) { return bash("\"$0\" \"$@\" > /dev/full", args); }

const std::string kFullDisk = "abitag: write error: No space left on device\n";

// A store with N packages: its export is N × about 150 bytes.
std::string store_of(const TempDir &dir, int packages) {
  std::string db = dir.path() + "/tags.db";
  nlohmann::ordered_json doc = {
      {"format", "abitag-store"}, {"version", 1}, {"packages", nlohmann::ordered_json::object()}};
  for (int i = 0; i < packages; ++i)
    doc["packages"]["dev-libs/p" + std::to_string(i) + ":0"]["tags"]["cxxabi"] = {
        {"value", "compat"}, {"source", "manual"}, {"time", 0}};
  Run imported = tagger(db, "import", {}, doc.dump());
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  return db;
}

} // namespace

TEST_CASE("stdout that cannot be written: one line and exit 4, for every command that prints", "[cli][output]") {
  TempDir dir;
  std::string db = store_of(dir, 3);
  std::vector<std::vector<std::string>> commands = {
      {"export", "--db", db},
      {"show", "--json", "--db", db},
      {"show", "--db", db},
      {"check", "--json", "--db", db},
      {"cxxabi", fixture("cxxabi/new-O2")},
      {"cxxabi", "--json", fixture("cxxabi/new-O2")},
      {"symbols", fixture("cxxabi/new-O2")},
      {"symbols", fixture("cxxabi")}, // more than stdio's buffer: fails before the end
      {"audit", fixture("cxxabi/new-O2")},
      {"audit", "--json", fixture("cxxabi/new-O2")},
      {"analyzers"},
      {"--help"}};
  for (const std::vector<std::string> &args : commands) {
    Run r = to_full_disk(args);
    INFO(args[0] << " " << (args.size() > 1 ? args[1] : ""));
    CHECK(r.exit_code == 4);
    CHECK(r.err.substr(r.err.size() - std::min(r.err.size(), kFullDisk.size())) == kFullDisk);
  }
  // Nothing else is said when the command itself went well.
  CHECK(to_full_disk({"export", "--db", db}).err == kFullDisk);
  CHECK(to_full_disk({"symbols", fixture("cxxabi/new-O2")}).err == kFullDisk);
  // A command that prints nothing does not fail on it.
  CHECK(to_full_disk({"set", "--db", db, "b:0", "k", "v"}).exit_code == 0);
}

TEST_CASE("a closed stdout before anything is written is no error; a write to it is", "[cli][output]") {
  TempDir dir;
  std::string db = store_of(dir, 1);
  Run quiet = bash("\"$0\" \"$@\" >&-", {"set", "--db", db, "b:0", "k", "v"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  Run written = bash("\"$0\" \"$@\" >&-", {"export", "--db", db});
  CHECK(written.exit_code == 4);
  CHECK(written.err == "abitag: write error: Bad file descriptor\n");
}

TEST_CASE("a reader that closes the pipe early ends abitag quietly", "[cli][output]") {
  TempDir dir;
  // Outputs well past a pipe's 64 KiB buffer, so abitag is still writing
  // when head has gone.
  std::string db = store_of(dir, 2000);
  std::vector<std::string> symbols = {"symbols"};
  for (const char *folder : {"dialect", "new-O0", "old-O0", "thin", "lto", "mixed", "libcxx", "archive", "new-O2"})
    symbols.push_back(fixture("cxxabi/") + folder);
  CHECK(abitag_cli({"export", "--db", db}).out.size() > 200000);
  CHECK(abitag_cli(symbols).out.size() > 100000);
  for (const std::vector<std::string> &args : std::vector<std::vector<std::string>>{{"export", "--db", db}, symbols}) {
    INFO(args[0]);
    // With SIGPIPE as abitag inherits it (the shell's default: killed by it, 141).
    Run killed = bash("set -o pipefail; \"$0\" \"$@\" | head -c1 > /dev/null", args);
    CHECK(killed.err.empty());
    CHECK((killed.exit_code == 141 || killed.exit_code == 4));
    // With SIGPIPE ignored, the write fails with EPIPE: exit 4, still quietly.
    Run ignored = bash("trap '' PIPE; set -o pipefail; \"$0\" \"$@\" | head -c1 > /dev/null", args);
    CHECK(ignored.err.empty());
    CHECK(ignored.exit_code == 4);
  }
}
