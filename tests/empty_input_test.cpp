// SPDX-License-Identifier: MIT
// "Nothing to analyze", through the real binary: each analyzer given a folder
// without any file it reads, and `abitag tag` given such a folder.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "fingerprint/errors.h"
#include "tagger/store.h"
#include "tests/tagger_support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

// An empty folder, and one holding only a file no analyzer reads.
struct NothingHere {
  TempDir dir;
  std::string empty = dir.path() + "/empty";
  std::string text_only = dir.path() + "/text-only";
  NothingHere() {
    fs::create_directory(empty);
    fs::create_directory(text_only);
    write_file(text_only + "/README", "no binaries here\n");
  }
};

} // namespace

TEST_CASE("cxxabi: no C++ interface is compat, and --explain and --json count what was read",
          "[cli][nothing-here]") {
  NothingHere here;
  Run plain = run(abitag_binary(), {"cxxabi", here.empty});
  CHECK(plain.exit_code == 0);
  CHECK(plain.out == "compat\n");
  Run explain = run(abitag_binary(), {"cxxabi", "--explain", here.text_only});
  CHECK(explain.exit_code == 0);
  CHECK(explain.out == "compat\n");
  CHECK(explain.err.find("0 files read (0 ELF files, 0 archives), 1 other files skipped: no ELF file or "
                         "archive here, so no C++ interface\n") != std::string::npos);
  Run json = run(abitag_binary(), {"cxxabi", "--json", "--scheme", "abi", here.empty});
  REQUIRE(json.exit_code == 0);
  auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["value"] == "compat");
  CHECK(doc["files_read"] == 0);
  CHECK(doc["elf_files"] == 0);
  CHECK(doc["archives"] == 0);
  CHECK(doc["files"].empty());

  // The same counts where there is something: one shared object, one archive.
  Run some = run(abitag_binary(), {"cxxabi", "--json", "--explain", "--scheme", "abi", fixture("cxxabi/old-O2"),
                                   fixture("cxxabi/archive")});
  REQUIRE(some.exit_code == 0);
  auto counted = nlohmann::json::parse(some.out);
  CHECK(counted["files_read"] == 2);
  CHECK(counted["elf_files"] == 1);
  CHECK(counted["archives"] == 1);
  CHECK(some.err.find("2 files read (1 ELF files, 1 archives), 0 other files skipped\n") != std::string::npos);
}

TEST_CASE("sbcl and ghc: nothing to read is an input error naming the path", "[cli][nothing-here]") {
  NothingHere here;
  for (const std::string &path : {here.empty, here.text_only}) {
    for (std::vector<std::string> args : {std::vector<std::string>{"sbcl"}, {"sbcl", "--json"},
                                          {"sbcl", "--check"}, {"sbcl", "--field", "sha256"}}) {
      args.push_back(path);
      Run r = run(abitag_binary(), args);
      INFO(args[1]);
      CHECK(r.exit_code == 3);
      CHECK(r.out.empty());
      CHECK(r.err == "abitag: " + path + ": no SBCL core or runtime here\n");
    }
    for (std::vector<std::string> args :
         {std::vector<std::string>{"ghc"}, {"ghc", "--tag"}, {"ghc", "--json"}, {"ghc", "--field", "abi"}}) {
      args.push_back(path);
      Run r = run(abitag_binary(), args);
      CHECK(r.exit_code == 3);
      CHECK(r.out.empty());
      CHECK(r.err == "abitag: " + path + ": no GHC package here\n");
    }
  }
  // A folder of ELF files (not SBCL's) is nothing to read for sbcl, too.
  Run elf_only = run(abitag_binary(), {"sbcl", fixture("cxxabi/new-O2")});
  CHECK(elf_only.exit_code == 3);
  CHECK(elf_only.err == "abitag: " + fixture("cxxabi/new-O2") + ": no SBCL core or runtime here\n");
  // --check takes a folder as a package database: an empty one (as
  // `ghc-pkg init` makes it) is checked, with nothing broken.
  Run check = run(abitag_binary(), {"ghc", "--check", here.empty});
  CHECK(check.exit_code == 0);
  CHECK(check.out == "no broken packages (0 units in 1 database)\n");
}

TEST_CASE("tag never records an empty value: exit 3, the store unchanged", "[tagger][cli][nothing-here]") {
  NothingHere here;
  std::string db = here.dir.path() + "/tags.db";
  require_ok(tagger(db, "set", {"dev-lisp/app:0", "sbcl", "old-build-id"}));
  require_ok(tagger(db, "tag", {"dev-libs/foo:0", "cxxabi", fixture("cxxabi/new-O2")}));
  std::vector<std::string> before = sqlite_rows(db, "SELECT package, key, value FROM tags ORDER BY package, key");
  REQUIRE(before.size() == 2);
  std::string exported = tagger(db, "export").out;

  Run sbcl = tagger(db, "tag", {"dev-lisp/app:0", "sbcl", here.empty});
  CHECK(sbcl.exit_code == 3);
  CHECK(sbcl.out.empty());
  CHECK(sbcl.err == "abitag: " + here.empty + ": no SBCL core or runtime here\n");
  Run ghc = tagger(db, "tag", {"dev-haskell/foo:0", "ghc", "--tag", here.empty});
  CHECK(ghc.exit_code == 3);
  CHECK(ghc.err == "abitag: " + here.empty + ": no GHC package here\n");
  // A value the analyzer computes empty (a field the package lacks) is refused too.
  std::string conf = fixture("ghc/db-good/tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s.conf");
  Run blank = run(abitag_binary(), {"ghc", "--field", "maintainer", conf});
  REQUIRE(blank.exit_code == 0);
  REQUIRE(blank.out.empty()); // no value: nothing printed
  Run field = tagger(db, "tag", {"dev-haskell/foo:0", "ghc", "--field", "maintainer", conf});
  CHECK(field.exit_code == 3);
  CHECK(field.out.empty());
  CHECK(field.err == "abitag: ghc: a value must not be empty; nothing recorded\n");
  // By hand or by import, no empty value lands either.
  CHECK(tagger(db, "set", {"dev-libs/foo:0", "manual", ""}).exit_code == 2);
  CHECK(tagger(db, "lock", {"app/bar:0", "dev-libs/foo:0", "cxxabi", ""}).exit_code == 2);
  std::string empty_import = R"({"format": "abitag-store", "version": 1, "packages": {"dev-libs/foo:0":
      {"tags": {"cxxabi": {"value": "", "source": "manual", "time": 0}}, "locks": []}}})";
  Run imported = tagger(db, "import", {"-"}, empty_import);
  CHECK(imported.exit_code == 3);
  CHECK(imported.err.find("a value must not be empty") != std::string::npos);

  CHECK(sqlite_rows(db, "SELECT package, key, value FROM tags ORDER BY package, key") == before);
  CHECK(sqlite_rows(db, "SELECT count(*) FROM locks") == std::vector<std::string>{"0"});
  CHECK(tagger(db, "export").out == exported);
}

TEST_CASE("the store itself refuses an empty tag value, whoever asks", "[tagger][nothing-here]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  require_ok(tagger(db, "set", {"dev-libs/foo:0", "cxxabi", "compat"}));
  auto store = abitag::tagger::Store::open_for_writing(db);
  REQUIRE(static_cast<bool>(store));
  REQUIRE_FALSE(static_cast<bool>((*store)->begin_write()));
  llvm::Error refused = (*store)->set_tag({"dev-libs/foo:0", "cxxabi", "", "manual", 0, std::nullopt});
  REQUIRE(static_cast<bool>(refused));
  CHECK(abitag::to_message(std::move(refused)) == db + ": dev-libs/foo:0 cxxabi: a value must not be empty");
  CHECK_FALSE(static_cast<bool>((*store)->commit()));
  store->reset();
  CHECK(sqlite_rows(db, "SELECT package, key, value FROM tags") ==
        std::vector<std::string>{"dev-libs/foo:0|cxxabi|compat"});
}
