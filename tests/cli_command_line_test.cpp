// SPDX-License-Identifier: MIT
// The command line a script can trust, through the real binary: usage
// errors that name what was meant, help, stdout failures that are never
// silent (and a closed pipe that ends abitag quietly), shell completion.
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
  require_tool("bash", "bash");
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

TEST_CASE("an unknown command is named with the nearest one, or with none when nothing is near", "[cli][usage]") {
  Run typo = abitag_cli({"audti"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.out.empty());
  CHECK(typo.err == "abitag: unknown command 'audti'; did you mean 'audit'?\n");
  Run far = abitag_cli({"frobnicate", "x"});
  CHECK(far.exit_code == 2);
  CHECK(far.err == "abitag: unknown command 'frobnicate' ('abitag help' lists the commands)\n");
  Run none = abitag_cli({});
  CHECK(none.exit_code == 2);
  CHECK(none.err == "abitag: no command given ('abitag help' lists the commands)\n");
}

TEST_CASE("an unknown option is named with the nearest option of its command", "[cli][usage]") {
  Run typo = abitag_cli({"show", "--jsno"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err == "abitag: show: unknown option '--jsno'; did you mean '--json'?\n");
  // Named even when CLI11 first tripped over what it caused: --scheem took
  // the path as its value and left the required paths empty.
  Run valued = abitag_cli({"cxxabi", "--scheem", "abi", fixture("cxxabi/new-O2")});
  CHECK(valued.exit_code == 2);
  CHECK(valued.err == "abitag: cxxabi: unknown option '--scheem'; did you mean '--scheme'?\n");
  Run far = abitag_cli({"cxxabi", "--frobnicate", fixture("cxxabi/new-O2")});
  CHECK(far.exit_code == 2);
  CHECK(far.err == "abitag: cxxabi: unknown option '--frobnicate'\n");
  Run own = abitag_cli({"--verison"});
  CHECK(own.exit_code == 2);
  CHECK(own.err == "abitag: unknown option '--verison'; did you mean '--version'?\n");
  // Other usage errors keep CLI11's words, after the command's name.
  Run missing = abitag_cli({"set", "a:0"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "abitag: set: key is required\n");
}

TEST_CASE("a --db before the command is the command's, and other options there are said where they go",
          "[cli][usage]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  REQUIRE(abitag_cli({"--db", db, "set", "a:0", "k", "v"}).exit_code == 0);
  Run shown = abitag_cli({"--db=" + db, "show", "a:0"});
  CHECK(shown.exit_code == 0);
  CHECK(lines(shown.out).at(0) == "a:0");
  CHECK(shown.out == abitag_cli({"show", "--db", db, "a:0"}).out);
  // tag's options come before PACKAGE, so this is `tag --db DB PKG ANALYZER PATH`.
  Run tagged = abitag_cli({"--db", db, "tag", "b:0", "cxxabi", fixture("cxxabi/capi")});
  CHECK(tagged.exit_code == 0);
  CHECK(tagged.out == "compat\n");

  Run json = abitag_cli({"--json", "show"});
  CHECK(json.exit_code == 2);
  CHECK(json.err == "abitag: --json goes after the command name: abitag show --json\n");
  Run root = abitag_cli({"--root", "/", "cxxabi", fixture("cxxabi/capi")});
  CHECK(root.exit_code == 2);
  CHECK(root.err == "abitag: --root goes after the command name: abitag cxxabi --root\n");
  Run no_store = abitag_cli({"--db", db, "cxxabi", fixture("cxxabi/capi")});
  CHECK(no_store.exit_code == 2);
  CHECK(no_store.err == "abitag: cxxabi: unknown option '--db'\n");
  Run no_value = abitag_cli({"--db"});
  CHECK(no_value.exit_code == 2);
  CHECK(no_value.err == "abitag: --db needs a PATH\n");
}

TEST_CASE("ghc --field takes only the fields an InstalledPackageInfo has, and lists them", "[cli][usage][ghc]") {
  Run typo = abitag_cli({"ghc", "--field", "abbi", fixture("ghc/tinylib/tinylib.conf")});
  CHECK(typo.exit_code == 2);
  CHECK(typo.out.empty());
  CHECK(lines(typo.err).size() == 1);
  CHECK(typo.err.rfind("abitag: ghc: --field: abbi not in {name,version,", 0) == 0);
  CHECK(typo.err.find(",abi,") != std::string::npos);
  CHECK(typo.err.find(",abi-depends,") != std::string::npos);
  // Any case, as before; through `tag` too.
  CHECK(abitag_cli({"ghc", "--field", "Exposed-Modules", fixture("ghc/tinylib/tinylib.conf")}).exit_code == 0);
  TempDir dir;
  Run tagged = tagger(dir.path() + "/tags.db", "tag", {"a:0", "ghc", "--field", "abbi", fixture("ghc/tinylib/tinylib.conf")});
  CHECK(tagged.exit_code == 2);
  CHECK(tagged.err.rfind("abitag: ghc: --field: abbi not in {", 0) == 0);
}

TEST_CASE("help prints the help of abitag or of a command", "[cli][usage]") {
  Run help = abitag_cli({"help"});
  CHECK(help.exit_code == 0);
  CHECK(help.err.empty());
  CHECK(help.out == abitag_cli({"--help"}).out);
  CHECK(help.out.find("Usage: abitag [OPTIONS] SUBCOMMAND") != std::string::npos);
  CHECK(help.out.find("  completion ") != std::string::npos);
  CHECK(help.out.find("Exit codes:") != std::string::npos);
  Run show = abitag_cli({"help", "show"});
  CHECK(show.exit_code == 0);
  CHECK(show.out == abitag_cli({"show", "--help"}).out);
  CHECK(show.out.find("Usage: abitag show [OPTIONS] [package]") != std::string::npos);
  Run unknown = abitag_cli({"help", "shwo"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.empty());
  CHECK(unknown.err == "abitag: unknown command 'shwo'; did you mean 'show'?\n");
  Run version = abitag_cli({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("abitag ", 0) == 0);
}

TEST_CASE("a package the store does not know: show, forget and check all exit 3 with the same line", "[cli][tagger]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  require_ok(tagger(db, "set", {"a:0", "k", "v"}));
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"show", "zz:0"}, {"forget", "zz:0"}, {"check", "zz:0"}}) {
    std::string command = args[0];
    args.erase(args.begin());
    Run r = tagger(db, command, args);
    INFO(command);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err == "abitag: zz:0: not in the store " + db + "\n");
  }
  // An uninstall hook that may run twice says so.
  Run twice = tagger(db, "forget", {"--if-known", "zz:0"});
  CHECK(twice.exit_code == 0);
  CHECK(twice.err.empty());
  require_ok(tagger(db, "forget", {"--if-known", "a:0"}));
  CHECK(tagger(db, "show", {"a:0"}).exit_code == 3);
}

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
      {"help"},
      {"--help"},
      {"completion", "bash"}};
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

TEST_CASE("a closed stdout before anything is written is no error, but a write to it is", "[cli][output]") {
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
  require_tool("head", "coreutils");
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

TEST_CASE("bash completion, generated from the commands, completes commands, options, values and paths",
          "[cli][completion]") {
  Run script = abitag_cli({"completion", "bash"});
  REQUIRE(script.exit_code == 0);
  // The build wrote the same script, for `make install`.
  CHECK(read_file(std::string(ABITAG_COMPLETIONS) + "/bash-completion/abitag") == script.out);
  // complete WORD... : the completions of the last word, one a line.
  std::string harness = "source <(\"$0\" completion bash) || exit 1\n"
                        "complete -p abitag || exit 1\n"
                        "COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()\n"
                        "_abitag; ((${#COMPREPLY[@]} == 0)) || printf '%s\\n' \"${COMPREPLY[@]}\"\n";
  auto complete = [&](std::vector<std::string> words) {
    Run r = bash(harness, words);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> out = lines(r.out);
    REQUIRE(out.size() >= 1);
    CHECK(out[0] == "complete -F _abitag abitag");
    std::vector<std::string> completions(out.begin() + 1, out.end());
    std::sort(completions.begin(), completions.end()); // compgen lists files in the folder's order
    return completions;
  };
  CHECK(complete({"abitag", "au"}) == std::vector<std::string>{"audit"});
  CHECK(complete({"abitag", "--db", "/tmp/x.db", "sh"}) == std::vector<std::string>{"show"});
  CHECK(complete({"abitag", "show", "--j"}) == std::vector<std::string>{"--json"});
  CHECK(complete({"abitag", "cxxabi", "--scheme", ""}) == std::vector<std::string>{"abi", "seed"});
  CHECK(complete({"abitag", "check", "--format", "=", "l"}) == std::vector<std::string>{"lines"}); // bash splits at '='
  CHECK(complete({"abitag", "check", "--format", "c"}) == std::vector<std::string>{"cave"});
  CHECK(complete({"abitag", "help", "comp"}) == std::vector<std::string>{"completion"});
  CHECK(complete({"abitag", "tag", "dev-libs/foo:0", "gh"}) == std::vector<std::string>{"ghc"});
  CHECK(complete({"abitag", "set", "a"}).empty()); // a package id: nothing to offer
  // Paths: files for an analyzer, folders for the audit's ROOT.
  std::string cxxabi = fixture("cxxabi/");
  std::vector<std::string> files = complete({"abitag", "cxxabi", "--json", cxxabi + "expected.t"});
  CHECK(files == std::vector<std::string>{cxxabi + "expected.tsv"});
  CHECK(complete({"abitag", "audit", cxxabi + "expected.t"}).empty());
  CHECK(complete({"abitag", "audit", cxxabi + "new-O"}) == std::vector<std::string>{cxxabi + "new-O0", cxxabi + "new-O2"});
}

TEST_CASE("zsh completion, generated from the commands, is valid zsh naming every command", "[cli][completion]") {
  require_tool("zsh", "zsh");
  Run script = abitag_cli({"completion", "zsh"});
  REQUIRE(script.exit_code == 0);
  std::string file = std::string(ABITAG_COMPLETIONS) + "/zsh/_abitag";
  CHECK(read_file(file) == script.out);
  CHECK(script.out.rfind("#compdef abitag\n", 0) == 0);
  Run parsed = run("zsh", {"-n", file});
  INFO(parsed.err);
  CHECK(parsed.exit_code == 0);
  // Every command `abitag help` lists, described and given its own arguments.
  Run help = abitag_cli({"help"});
  std::vector<std::string> all = lines(help.out);
  auto first = std::find(all.begin(), all.end(), "Subcommands:");
  REQUIRE(first != all.end());
  int named = 0;
  for (auto line = first + 1; line != all.end() && !line->empty(); ++line) {
    std::string name = line->substr(2, line->find(' ', 2) - 2);
    INFO(name);
    CHECK(script.out.find("    '" + name + ":") != std::string::npos);
    CHECK(script.out.find("      (" + name + ")\n") != std::string::npos);
    ++named;
  }
  CHECK(named == 27); // the analyzers (9), symbols, analyzers, the store's 9 (with plan), audit, adopt, preview, owner, files, help, completion
  Run unknown = abitag_cli({"completion", "fish"});
  CHECK(unknown.exit_code == 2);
}
