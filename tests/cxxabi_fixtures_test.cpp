// SPDX-License-Identifier: MIT
// The analyzer against fixtures built by real compilers, each with the
// verdict its build implies (tests/fixtures/cxxabi/expected.tsv).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "analyzers/registry.h"
#include "fingerprint/analyzer.h"
#include "fingerprint/child_process.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::test;

namespace {

struct Expected {
  std::string path, verdict;
  std::vector<std::string> flags;
};

std::vector<Expected> expected_verdicts() {
  std::ifstream in(fixture("cxxabi/expected.tsv"));
  std::vector<Expected> out;
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Expected e;
    std::string flags;
    std::getline(fields, e.path, '\t');
    std::getline(fields, e.verdict, '\t');
    std::getline(fields, flags, '\t');
    std::istringstream flag_list(flags);
    for (std::string flag; std::getline(flag_list, flag, ',');)
      if (flag != "-")
        e.flags.push_back(flag);
    out.push_back(e);
  }
  return out;
}

Analysis analyze(const std::vector<std::string> &paths, std::vector<std::string> options = {}) {
  std::unique_ptr<Analyzer> analyzer = builtin_registry().create("cxxabi");
  REQUIRE(analyzer);
  CLI::App app;
  analyzer->add_options(app);
  options.insert(options.begin(), "test");
  std::vector<const char *> argv;
  for (const std::string &o : options)
    argv.push_back(o.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  AnalysisInputs inputs;
  inputs.paths = paths;
  return analyzer->analyze(inputs);
}

std::string expected_seed_value() {
  // sha1-$(gcc --version | sha1sum | cut -f1 -d' '), computed with the real tools.
  Run version = run("gcc", {"--version"});
  Run sum = run("sha1sum", {}, version.out);
  return "sha1-" + sum.out.substr(0, sum.out.find(' '));
}

} // namespace

TEST_CASE("every fixture gets the verdict its build implies", "[cxxabi]") {
  std::vector<Expected> rows = expected_verdicts();
  REQUIRE(rows.size() >= 20);
  for (const Expected &row : rows) {
    INFO(row.path);
    Analysis a = analyze({fixture("cxxabi/" + row.path)}, {"--scheme", "abi"});
    if (row.verdict == "error") {
      REQUIRE(a.errors.size() == 1);
      CHECK(a.errors[0].path == fixture("cxxabi/" + row.path));
      CHECK_FALSE(a.errors[0].reason.empty());
      CHECK(a.value.empty());
      continue;
    }
    REQUIRE(a.errors.empty());
    REQUIRE(a.document["files"].size() == 1);
    const auto &file = a.document["files"][0];
    CHECK(file["verdict"] == row.verdict);
    for (const std::string &flag : row.flags) {
      INFO(flag);
      CHECK(std::find(file["flags"].begin(), file["flags"].end(), flag) != file["flags"].end());
    }
  }
}

TEST_CASE("the answer does not change with the optimisation level", "[cxxabi]") {
  for (const char *abi : {"old", "new"}) {
    std::string o0 = fixture(std::string("cxxabi/") + abi + "-O0");
    std::string o2 = fixture(std::string("cxxabi/") + abi + "-O2");
    CHECK(analyze({o0}, {"--scheme", "abi"}).value == analyze({o2}, {"--scheme", "abi"}).value);
    CHECK(analyze({o0}).value == analyze({o2}).value);
  }
  CHECK(analyze({fixture("cxxabi/old-O2")}, {"--scheme", "abi"}).value == "libstdc++-old");
  CHECK(analyze({fixture("cxxabi/new-O2")}, {"--scheme", "abi"}).value == "libstdc++-cxx11");
}

TEST_CASE("seed scheme: compat, or sha1 of the compiler's --version like the pipeline", "[cxxabi]") {
  CHECK(analyze({fixture("cxxabi/capi"), fixture("cxxabi/pure-c")}).value == "compat");
  require_tool("gcc", "gcc");
  require_tool("sha1sum", "coreutils");
  CHECK(analyze({fixture("cxxabi/new-O2")}).value == expected_seed_value());
  // The dialect-only library is not compat: its interface carries dialect tags.
  CHECK(analyze({fixture("cxxabi/dialect")}).value == expected_seed_value());
}

TEST_CASE("the compiler option and the tools prefix choose the hashed compiler", "[cxxabi]") {
  require_tool("g++", "g++");
  require_tool("sha1sum", "coreutils");
  Run version = run("g++", {"--version"});
  Run sum = run("sha1sum", {}, version.out);
  CHECK(analyze({fixture("cxxabi/new-O2")}, {"--compiler", "g++"}).value ==
        "sha1-" + sum.out.substr(0, sum.out.find(' ')));
  Analysis missing = analyze({fixture("cxxabi/new-O2")}, {"--tools-prefix", "no-such-target-"});
  CHECK(missing.value.empty());
  CHECK(missing.failure.find("'no-such-target-gcc' not found on PATH") != std::string::npos);
}

TEST_CASE("abi scheme joins the families of all files in a fixed order", "[cxxabi]") {
  CHECK(analyze({fixture("cxxabi/new-O2"), fixture("cxxabi/old-O2")}, {"--scheme", "abi"}).value ==
        "libstdc++-old,libstdc++-cxx11");
  CHECK(analyze({fixture("cxxabi/libcxx"), fixture("cxxabi/new-O2")}, {"--scheme", "abi"}).value ==
        "libstdc++-cxx11,libc++");
  CHECK(analyze({fixture("cxxabi/dialect")}, {"--scheme", "abi"}).value == "c++11-dialect");
}

TEST_CASE("an abi-scheme value splits back into exactly its families", "[cxxabi][cli]") {
  // One folder with an old-ABI, a new-ABI and a libc++ library, as an image
  // would hold them; the real binary's value, split on ','.
  TempDir image;
  std::filesystem::copy_file(fixture("cxxabi/old-O2/libold.so"), image.path() + "/libold.so");
  std::filesystem::copy_file(fixture("cxxabi/new-O2/libnew.so"), image.path() + "/libnew.so");
  std::filesystem::copy_file(fixture("cxxabi/libcxx/liblibcxx.so"), image.path() + "/liblibcxx.so");
  Run r = run(abitag_binary(), {"cxxabi", "--scheme", "abi", image.path()});
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.out.size() > 1);
  std::vector<std::string> families;
  std::istringstream value(r.out.substr(0, r.out.size() - 1));
  for (std::string family; std::getline(value, family, ',');)
    families.push_back(family);
  CHECK(families == std::vector<std::string>{"libstdc++-old", "libstdc++-cxx11", "libc++"});
  // With the dialect library too, every family, none of which holds ','.
  std::filesystem::copy_file(fixture("cxxabi/dialect/libdialect.so"), image.path() + "/libdialect.so");
  Run all = run(abitag_binary(), {"cxxabi", "--scheme", "abi", image.path()});
  CHECK(all.out == "libstdc++-old,libstdc++-cxx11,libc++,c++11-dialect\n");
  CHECK(lines(all.out).size() == 1);
}

TEST_CASE("a damaged file among good ones gives no value at all", "[cxxabi]") {
  Analysis a = analyze({fixture("cxxabi/new-O2"), fixture("cxxabi/bad/truncated.so")});
  CHECK(a.value.empty());
  REQUIRE(a.errors.size() == 1);
  CHECK(a.errors[0].path == fixture("cxxabi/bad/truncated.so"));
}

TEST_CASE("evidence names the symbols behind the verdict", "[cxxabi]") {
  Analysis a = analyze({fixture("cxxabi/old-O2/libold.so")});
  const auto &evidence = a.document["files"][0]["evidence"];
  bool found = false;
  for (const auto &e : evidence)
    found |= e["mangled"] == "_ZN3lib11take_stringERKSs" && e["scope"] == "interface" &&
             e["demangled"] == "lib::take_string(std::string const&)";
  CHECK(found);
  CHECK(a.document["files"][0]["compilers"][0].get<std::string>().rfind("GCC: ", 0) == 0);
}
