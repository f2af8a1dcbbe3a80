// SPDX-License-Identifier: MIT
// The abitag command as packagers call it: exit codes, one-line errors,
// stdout kept to the value.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {
Run abitag_cli(const std::vector<std::string> &args) { return run(abitag_binary(), args); }
} // namespace

TEST_CASE("usage errors exit 2, help exits 0", "[cli]") {
  CHECK(abitag_cli({}).exit_code == 2);
  CHECK(abitag_cli({"cxxabi"}).exit_code == 2);
  CHECK(abitag_cli({"cxxabi", "--scheme", "bogus", fixture("cxxabi/new-O2")}).exit_code == 2);
  CHECK(abitag_cli({"no-such-command"}).exit_code == 2);
  Run help = abitag_cli({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("Exit codes:") != std::string::npos);
  CHECK(abitag_cli({"cxxabi", "--help"}).out.find("--scheme") != std::string::npos);
}

TEST_CASE("abitag analyzers lists each analyzer with its description", "[cli]") {
  Run r = abitag_cli({"analyzers"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("cxxabi\t", 0) == 0);
}

TEST_CASE("stdout holds the value alone, --explain goes to stderr", "[cli]") {
  Run r = abitag_cli({"cxxabi", "--scheme", "abi", "--explain", fixture("cxxabi/old-O2")});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "libstdc++-old\n");
  CHECK(r.err.find("libold.so: old-dual-abi") != std::string::npos);
  CHECK(r.err.find("_ZN3lib11take_stringERKSs") != std::string::npos);
  CHECK(r.err.find("no evidence is not proof") != std::string::npos);
}

TEST_CASE("JSON output is one document with the value and every file", "[cli]") {
  Run r = abitag_cli({"cxxabi", "--json", "--scheme", "abi", fixture("cxxabi/new-O2"), fixture("cxxabi/libcxx")});
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["value"] == "libstdc++-cxx11,libc++");
  REQUIRE(doc["files"].size() == 2);
  CHECK(doc["files"][0]["verdict"] == "new-dual-abi");
  CHECK(doc["files"][1]["verdict"] == "libc++");
  CHECK(doc["files"][1]["path"] == fixture("cxxabi/libcxx") + "/liblibcxx.so");
}

TEST_CASE("bad input: one line per file naming it, no value, exit 3", "[cli]") {
  Run r = abitag_cli({"cxxabi", fixture("cxxabi/bad")});
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  std::vector<std::string> errors = lines(r.err);
  // not-elf.txt is skipped, not an error; truncated-sections.so is read
  // through its dynamic segment
  CHECK(errors.size() == 3);
  for (const std::string &line : errors) {
    CHECK(line.rfind("abitag: " + fixture("cxxabi/bad/"), 0) == 0);
    CHECK(line.find(": ", line.find("/bad/")) != std::string::npos);
  }
  Run missing = abitag_cli({"cxxabi", "/nonexistent/image"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err == "abitag: /nonexistent/image: No such file or directory\n");
  Run wrong_kind = abitag_cli({"cxxabi", fixture("cxxabi/expected.tsv")});
  CHECK(wrong_kind.exit_code == 3);
  CHECK(wrong_kind.err == "abitag: " + fixture("cxxabi/expected.tsv") + ": not an ELF file or ar archive\n");
  Run symbols = abitag_cli({"symbols", fixture("cxxabi/bad/truncated.so")});
  CHECK(symbols.exit_code == 3);
  CHECK(lines(symbols.err).size() == 1);
  CHECK(symbols.out.empty()); // not even the header: nothing was read
}

TEST_CASE("a compiler that cannot run exits 4", "[cli]") {
  Run r = abitag_cli({"cxxabi", "--compiler", "/nonexistent/gcc", fixture("cxxabi/new-O2")});
  CHECK(r.exit_code == 4);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("abitag: cannot compute the seed tag:", 0) == 0);
}

TEST_CASE("a link in an image to the build host's library is never read", "[cli]") {
  TempDir dir;
  std::string image = dir.path() + "/image";
  fs::create_directories(image + "/usr/lib");
  fs::copy_file(fixture("cxxabi/pure-c/libpurec.so"), image + "/usr/lib/libpurec.so");
  // The host's new-ABI library, reachable only through the link.
  std::string host = fs::canonical(fixture("cxxabi/new-O2/libnew.so"));
  fs::create_symlink(host, image + "/usr/lib/libnew.so");

  Run r = abitag_cli({"cxxabi", "--json", image});
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["value"] == "compat");
  REQUIRE(doc["files"].size() == 1);
  CHECK(doc["files"][0]["path"] == image + "/usr/lib/libpurec.so");
  REQUIRE(doc["skipped_links"].size() == 1);
  CHECK(doc["skipped_links"][0]["path"] == image + "/usr/lib/libnew.so");

  // Named on the command line, the link is followed, under --root.
  Run named = abitag_cli({"cxxabi", "--scheme", "abi", image + "/usr/lib/libnew.so"});
  CHECK(named.out == "libstdc++-cxx11\n");
  Run rooted = abitag_cli({"cxxabi", "--root", image, image + "/usr/lib/libnew.so"});
  CHECK(rooted.exit_code == 3); // IMAGE + host path does not exist
}

TEST_CASE("an unreadable file is an error, never a silent compat", "[cli]") {
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec |
                                  fs::perms::group_read | fs::perms::others_read);
  std::string lib = dir.path() + "/libnew.so";
  fs::copy_file(fixture("cxxabi/new-O2/libnew.so"), lib);
  fs::permissions(lib, fs::perms::none);
  Run r;
  if (::geteuid() == 0) {
    // root reads everything: run abitag as nobody instead.
    require_tool("setpriv", "util-linux");
    r = run("setpriv", {"--reuid=65534", "--regid=65534", "--clear-groups", abitag_binary(), "cxxabi", dir.path()});
    if (r.err.find("Permission denied") != std::string::npos && r.err.find(lib) == std::string::npos)
      FAIL("nobody cannot execute " + abitag_binary() + ": " + r.err);
  } else {
    r = abitag_cli({"cxxabi", dir.path()});
  }
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK(r.err == "abitag: " + lib + ": Permission denied\n");
}
