// SPDX-License-Identifier: MIT
// The inputs analyzer and `abitag plan` through the abitag binary: the
// fingerprint of real files and the real compiler, and the plan's prediction
// on a store whose tags name their analyzers.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/tagger_support.h"

using namespace abitag::test;

namespace {

std::string first_line(const std::string &text) { return text.substr(0, text.find('\n')); }

// A tag of ANALYZER (its source) in the export format.
nlohmann::json tag(const std::string &analyzer, const std::string &value) {
  return {{"value", value}, {"source", analyzer}, {"time", 1}};
}

nlohmann::json lock(const std::string &dependency, const std::string &key, const std::string &value) {
  return {{"dependency", dependency}, {"key", key}, {"value", value}, {"time", 1}};
}

// base (a C++ library with its inputs recorded) <- mid (Haskell) <- top, and
// sbcl <- lispapp: what plan is asked about.
const std::string mid_inputs = "inputs1-" + std::string(64, 'c');
std::string planned_store(const TempDir &dir, const std::string &base_inputs) {
  nlohmann::json packages;
  packages["dev-libs/base:0"] = {{"tags", {{"cxxabi", tag("cxxabi", "libstdc++-cxx11")},
                                           {"inputs", tag("inputs", base_inputs)}}},
                                 {"locks", nlohmann::json::array()}};
  packages["dev-haskell/mid:0"] = {{"tags", {{"ghc", tag("ghc", "mid-1.0-abc")},
                                            {"inputs", tag("inputs", mid_inputs)}}},
                                   {"locks", {lock("dev-libs/base:0", "cxxabi", "libstdc++-cxx11")}}};
  packages["app-misc/top:0"] = {{"tags", nlohmann::json::object()},
                                {"locks", {lock("dev-haskell/mid:0", "ghc", "mid-1.0-abc")}}};
  packages["dev-lisp/sbcl:0"] = {{"tags", {{"sbcl", tag("sbcl", "x86-buildd-2022")}}},
                                 {"locks", nlohmann::json::array()}};
  packages["app-misc/lispapp:0"] = {{"tags", nlohmann::json::object()},
                                    {"locks", {lock("dev-lisp/sbcl:0", "sbcl", "x86-buildd-2022")}}};
  nlohmann::json store = {{"format", "abitag-store"}, {"version", 1}, {"packages", packages}};
  std::string db = dir.path() + "/tags.db";
  require_ok(tagger(db, "import", {}, store.dump()));
  return db;
}

} // namespace

TEST_CASE("inputs: the files' contents in any order, values, the compiler, and unreadable inputs named",
          "[inputs]") {
  require_tool("g++", "g++");
  TempDir dir;
  write_file(dir.path() + "/foo-1.0.tar.gz", "distfile");
  write_file(dir.path() + "/fix.patch", "patch");
  Run one = run(abitag_binary(), {"inputs", dir.path() + "/foo-1.0.tar.gz", dir.path() + "/fix.patch",
                                  "--value", "OPTIONS=ssl", "--compiler", "g++", "--explain"});
  require_ok(one);
  CHECK(one.out.size() == std::string("inputs1-").size() + 64 + 1);
  CHECK(one.out.substr(0, 8) == "inputs1-");
  std::string target = first_line(run("g++", {"-dumpmachine"}).out);
  std::vector<std::string> explained = lines(one.err);
  REQUIRE(explained.size() == 5);
  CHECK(explained[0] == "file " + dir.path() + "/foo-1.0.tar.gz " + first_line(run("sha256sum", {dir.path() + "/foo-1.0.tar.gz"}).out).substr(0, 64));
  CHECK(explained[2] == "value OPTIONS " + first_line(run("sha256sum", {"-"}, "ssl").out).substr(0, 64));
  CHECK(explained[3].substr(0, 13) == "compiler g++ ");
  CHECK(explained[4].substr(0, 7 + target.size() + 1) == "target " + target + " ");

  // The order of the files and a distfile's name change nothing; its contents do.
  write_file(dir.path() + "/renamed.tar.gz", "distfile");
  Run reordered = run(abitag_binary(), {"inputs", dir.path() + "/fix.patch", dir.path() + "/renamed.tar.gz",
                                        "--compiler", "g++", "--value", "OPTIONS=ssl"});
  CHECK(reordered.out == one.out);
  Run other_value = run(abitag_binary(), {"inputs", dir.path() + "/fix.patch", dir.path() + "/renamed.tar.gz",
                                          "--compiler", "g++", "--value", "OPTIONS=gui"});
  CHECK(other_value.out != one.out);
  Run content = run(abitag_binary(), {"inputs", dir.path() + "/fix.patch", "--compiler", "g++",
                                      "--compiler-check", "content", "--value", "OPTIONS=ssl", "--json"});
  require_ok(content);
  nlohmann::json document = nlohmann::json::parse(content.out);
  CHECK(document["inputs"][2]["kind"] == "compiler");
  CHECK(document["value"].get<std::string>().substr(0, 8) == "inputs1-");

  Run missing = run(abitag_binary(), {"inputs", dir.path() + "/gone.patch", dir.path() + "/fix.patch"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.out.empty());
  CHECK(missing.err == "abitag: " + dir.path() + "/gone.patch: No such file or directory\n");
  Run bad_value = run(abitag_binary(), {"inputs", dir.path() + "/fix.patch", "--value", "OPTIONS"});
  CHECK(bad_value.exit_code == 3);
  CHECK(bad_value.err == "abitag: OPTIONS: not NAME=VALUE\n");
  Run no_compiler = run(abitag_binary(), {"inputs", dir.path() + "/fix.patch", "--compiler", "no-such-cc"});
  CHECK(no_compiler.exit_code == 3);
  CHECK(no_compiler.err == "abitag: no-such-cc: 'no-such-cc' not found on PATH\n");
}

namespace {

// COMPILER's --version as `inputs --explain` lists it, and nothing after it.
void check_identity_alone(const std::string &compiler) {
  TempDir dir;
  write_file(dir.path() + "/source", "(defun greet ())\n");
  Run inputs = run(abitag_binary(), {"inputs", dir.path() + "/source", "--compiler", compiler, "--explain"});
  require_ok(inputs);
  CHECK(inputs.out.substr(0, 8) == "inputs1-");
  std::vector<std::string> explained = lines(inputs.err);
  REQUIRE(explained.size() == 2);
  std::string version = run(compiler, {"--version"}).out;
  CHECK(explained[1] == "compiler " + compiler + " " + first_line(run("sha256sum", {"-"}, version).out).substr(0, 64));
}

} // namespace

TEST_CASE("inputs: a compiler without -dumpmachine counts by its identity alone", "[inputs]") {
  // sbcl takes -dumpmachine for a toplevel option and prints its banner.
  require_tool("sbcl", "sbcl");
  check_identity_alone("sbcl");
  // ghc refuses it.
  skip_unless_tool("ghc", "ghc");
  check_identity_alone("ghc");
}

TEST_CASE("inputs: --lock-tags folds in the store's current tags, so a change below changes the fingerprint",
          "[inputs]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db", patch = dir.path() + "/fix.patch";
  write_file(patch, "patch");
  require_ok(tagger(db, "set", {"dev-libs/base:0", "cxxabi", "libstdc++-old"}));
  Run before = tagger(db, "tag", {"dev-libs/mid:0", "inputs", patch, "--lock-tags", "dev-libs/base:0"});
  require_ok(before);
  Run shown = run(abitag_binary(), {"inputs", patch, "--lock-tags", "dev-libs/base:0", "--db", db, "--explain"});
  CHECK(shown.out == before.out);
  CHECK(lines(shown.err).at(1) == "tag dev-libs/base:0 cxxabi " +
                                      first_line(run("sha256sum", {"-"}, "libstdc++-old").out).substr(0, 64));
  require_ok(tagger(db, "set", {"dev-libs/base:0", "cxxabi", "libstdc++-cxx11"}));
  Run after = run(abitag_binary(), {"inputs", patch, "--lock-tags", "dev-libs/base:0", "--db", db});
  require_ok(after);
  CHECK(after.out != before.out);
  Run unknown = run(abitag_binary(), {"inputs", patch, "--lock-tags", "dev-libs/nothing:0", "--db", db});
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err == "abitag: dev-libs/nothing:0: has no tags in the store\n");
}

TEST_CASE("plan: unchanged inputs break nothing, changed or unknown ones may, a build-time tag will",
          "[plan]") {
  TempDir dir;
  std::string recorded = "inputs1-" + std::string(64, 'a'), other = "inputs1-" + std::string(64, 'b');
  std::string db = planned_store(dir, recorded);

  Run same = tagger(db, "plan", {"dev-libs/base:0=" + recorded});
  CHECK(same.exit_code == 0);
  CHECK(same.out.empty());

  Run differs = tagger(db, "plan", {"dev-libs/base:0=" + other});
  CHECK(differs.exit_code == 1);
  CHECK(lines(differs.out) ==
        std::vector<std::string>{
            "may break:",
            "  dev-haskell/mid:0: dev-libs/base:0 cxxabi locked libstdc++-cxx11 (cxxabi is declared with-compiler "
            "and the new inputs differ from the recorded ones)",
            "  app-misc/top:0: dev-haskell/mid:0 ghc locked mid-1.0-abc (ghc is declared with-inputs and "
            "dev-haskell/mid:0 is rebuilt against a changed dependency)",
            "rebuild, dependencies first:", "  dev-haskell/mid:0", "  app-misc/top:0"});

  Run unknown = tagger(db, "plan", {"dev-libs/base:0"});
  CHECK(unknown.exit_code == 1);
  CHECK(lines(unknown.out).at(1).find("the new inputs are not known") != std::string::npos);

  // mid rebuilt in the same plan from unchanged inputs: its fingerprint was
  // taken from base's old tags, so its own may change all the same (a GHC
  // unit's abi follows the interfaces below it).
  CHECK(tagger(db, "plan", {"dev-haskell/mid:0=" + mid_inputs}).exit_code == 0);
  Run together = tagger(db, "plan", {"dev-libs/base:0=" + other, "dev-haskell/mid:0=" + mid_inputs});
  CHECK(together.exit_code == 1);
  CHECK(lines(together.out) ==
        std::vector<std::string>{
            "may break:",
            "  app-misc/top:0: dev-haskell/mid:0 ghc locked mid-1.0-abc (ghc is declared with-inputs and a "
            "dependency it locks on changes in the same plan)",
            "rebuild, dependencies first:", "  app-misc/top:0"});

  // SBCL's build id holds the build time: even unchanged inputs break its users.
  Run sbcl = tagger(db, "plan", {"dev-lisp/sbcl:0=" + recorded, "dev-libs/base:0=" + recorded});
  CHECK(sbcl.exit_code == 1);
  CHECK(lines(sbcl.out) == std::vector<std::string>{
                               "will break:",
                               "  app-misc/lispapp:0: dev-lisp/sbcl:0 sbcl locked x86-buildd-2022 (sbcl is declared "
                               "always: every build changes it)",
                               "rebuild, dependencies first:", "  app-misc/lispapp:0"});
}

TEST_CASE("plan: adopt's sonames follow the inputs, they are no build-time value", "[plan]") {
  TempDir dir;
  nlohmann::json packages;
  packages["libfoo1"] = {{"tags", {{"sonames", tag("adopt", "libfoo.so.1")}}}, {"locks", nlohmann::json::array()}};
  packages["bar"] = {{"tags", nlohmann::json::object()}, {"locks", {lock("libfoo1", "sonames", "libfoo.so.1")}}};
  nlohmann::json store = {{"format", "abitag-store"}, {"version", 1}, {"packages", packages}};
  std::string db = dir.path() + "/tags.db";
  require_ok(tagger(db, "import", {}, store.dump()));
  Run planned = tagger(db, "plan", {"libfoo1", "--root", dir.path()});
  CHECK(planned.exit_code == 1);
  CHECK(lines(planned.out) == std::vector<std::string>{
                                  "may break:",
                                  "  bar: libfoo1 sonames locked libfoo.so.1 (sonames is declared with-inputs and the "
                                  "new inputs are not known)",
                                  "rebuild, dependencies first:", "  bar"});
}

TEST_CASE("plan: check's formats, and bad input", "[plan]") {
  TempDir dir;
  std::string db = planned_store(dir, "inputs1-" + std::string(64, 'a'));
  Run plain = tagger(db, "plan", {"dev-libs/base:0", "dev-lisp/sbcl:0", "--format", "lines", "--root", dir.path()});
  CHECK(plain.exit_code == 1);
  CHECK(plain.out == "dev-haskell/mid:0\napp-misc/top:0\napp-misc/lispapp:0\n");
  CHECK(lines(plain.err).at(0) == "abitag: will break: app-misc/lispapp:0: dev-lisp/sbcl:0 sbcl locked "
                                  "x86-buildd-2022 (sbcl is declared always: every build changes it)");
  Run cave = tagger(db, "plan", {"dev-lisp/sbcl:0", "--format", "cave", "--root", dir.path()});
  CHECK(cave.out == "cave resolve --execute --preserve-world app-misc/lispapp:0\n");
  Run json = tagger(db, "plan", {"dev-libs/base:0", "--json"});
  nlohmann::json document = nlohmann::json::parse(json.out);
  CHECK(document["will_break"].empty());
  CHECK(document["may_break"][0]["declaration"] == "with-compiler");
  CHECK(document["rebuild"] == nlohmann::json::array({"dev-haskell/mid:0", "app-misc/top:0"}));

  Run bad = tagger(db, "plan", {"dev-libs/base:0=deadbeef"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "abitag: dev-libs/base:0=deadbeef: 'deadbeef' is not a fingerprint of `abitag inputs` "
                   "(inputs1- and 64 hex digits)\n");
  Run stranger = tagger(db, "plan", {"dev-libs/nothing:0"});
  CHECK(stranger.exit_code == 3);
  CHECK(stranger.err == "abitag: dev-libs/nothing:0: not in the store " + db + "\n");
}
