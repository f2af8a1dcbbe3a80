// abitag adopt through the binary, on a temporary root with a dpkg database
// and a C++ library and two programs built here: tags and locks from the
// files alone, idempotence, --dry-run, --json, and a dual-ABI rebuild that
// check then names exactly.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const char *kLibrary = "#include <string>\nstd::string greet(const std::string &who) { return \"hi \" + who; }\n";
const char *kProgram =
    "#include <string>\nstd::string greet(const std::string &who);\nint main() { return greet(\"x\").empty(); }\n";

// A root with a dpkg database: libfoo1 (libfoo.so.1, C++ in its interface),
// prog-a and prog-b linked against it.
struct CxxRoot {
  TempDir dir;
  std::string root = dir.path() + "/root";
  std::string db = dir.path() + "/tags.db";
  std::string library = root + "/usr/lib/x86_64-linux-gnu/libfoo.so.1";

  CxxRoot() {
    require_tool("g++", "g++");
    fs::create_directories(root + "/usr/lib/x86_64-linux-gnu");
    fs::create_directories(root + "/usr/bin");
    fs::create_directories(root + "/var/lib/dpkg/info");
    write_file(dir.path() + "/foo.cpp", kLibrary);
    write_file(dir.path() + "/prog.cpp", kProgram);
    build_library(false);
    for (const char *program : {"prog-a", "prog-b"})
      compile({"-o", root + "/usr/bin/" + program, dir.path() + "/prog.cpp", library});
    std::string status;
    for (const char *package : {"libfoo1", "prog-a", "prog-b"})
      status += std::string("Package: ") + package + "\nStatus: install ok installed\nArchitecture: amd64\n"
                "Version: 1\n\n";
    write_file(root + "/var/lib/dpkg/status", status);
    write_file(root + "/var/lib/dpkg/info/libfoo1.list",
               "/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu/libfoo.so.1\n");
    write_file(root + "/var/lib/dpkg/info/prog-a.list", "/.\n/usr\n/usr/bin\n/usr/bin/prog-a\n");
    write_file(root + "/var/lib/dpkg/info/prog-b.list", "/.\n/usr\n/usr/bin\n/usr/bin/prog-b\n");
  }

  void compile(std::vector<std::string> args) {
    Run r = run("g++", args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  void build_library(bool old_abi) {
    std::vector<std::string> args = {"-shared", "-fPIC", "-O2", "-Wl,-soname,libfoo.so.1", "-o", library,
                                     dir.path() + "/foo.cpp"};
    if (old_abi)
      args.insert(args.begin(), "-D_GLIBCXX_USE_CXX11_ABI=0");
    fs::remove(library); // a new file, as a package manager installs one
    compile(args);
  }
  Run abitag(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db});
    return run(abitag_binary(), args);
  }
};

nlohmann::json adopt_json(CxxRoot &r, std::vector<std::string> args = {}) {
  args.insert(args.begin(), {"adopt", r.root, "--json"});
  Run run = r.abitag(args);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return nlohmann::json::parse(run.out);
}

} // namespace

TEST_CASE("adopt: a C++ library and two programs, then a dual-ABI rebuild that check names exactly",
          "[adopt]") {
  CxxRoot r;
  Run dry = r.abitag({"adopt", r.root, "--dry-run"});
  REQUIRE(dry.exit_code == 0);
  CHECK(lines(dry.out) == std::vector<std::string>{
                              "tag libfoo1 cxxabi libstdc++-cxx11",
                              "tag libfoo1 sonames libfoo.so.1",
                              "tag prog-a cxxabi libstdc++-cxx11",
                              "tag prog-b cxxabi libstdc++-cxx11",
                              "lock prog-a libfoo1 cxxabi libstdc++-cxx11",
                              "lock prog-a libfoo1 sonames libfoo.so.1",
                              "lock prog-b libfoo1 cxxabi libstdc++-cxx11",
                              "lock prog-b libfoo1 sonames libfoo.so.1",
                          });
  CHECK(!fs::exists(r.db)); // a dry run makes no store

  nlohmann::json first = adopt_json(r);
  CHECK(first["tags"].size() == 4);
  CHECK(first["locks"].size() == 4);
  CHECK(r.abitag({"check"}).exit_code == 0);
  // The tags record their arguments: the audit computes them again.
  Run shown = r.abitag({"export"});
  CHECK(shown.out.find("/usr/bin/prog-a") != std::string::npos);

  SECTION("adopting again changes nothing") {
    nlohmann::json again = adopt_json(r);
    CHECK(again["tags"].empty());
    CHECK(again["locks"].empty());
    CHECK(again["unchanged_tags"] == 4);
    CHECK(again["kept_locks"] == 4);
    CHECK(r.abitag({"export"}).out == shown.out); // not even a time changed
  }

  SECTION("the library rebuilt with the old ABI and adopted alone: check names both programs and nothing else") {
    r.build_library(true);
    nlohmann::json rebuilt = adopt_json(r, {"--package", "libfoo1"});
    CHECK(rebuilt["adopted"] == nlohmann::json::array({"libfoo1"}));
    REQUIRE(rebuilt["tags"].size() == 1);
    CHECK(rebuilt["tags"][0]["value"] == "libstdc++-old");
    Run check = r.abitag({"check", "--format", "lines"});
    CHECK(check.exit_code == 1);
    CHECK(lines(check.out) == std::vector<std::string>{"prog-a", "prog-b"});
    // A whole adopt afterwards keeps the programs' locks: still stale.
    CHECK(adopt_json(r)["locks"].empty());
    CHECK(r.abitag({"check"}).exit_code == 1);
    // The programs rebuilt and adopted: clean again.
    nlohmann::json relocked = adopt_json(r, {"--package", "prog-a", "--package", "prog-b"});
    CHECK(relocked["locks"].size() == 2);
    CHECK(r.abitag({"check"}).exit_code == 0);
  }
}

TEST_CASE("adopt: a package whose files are gone, and a name not installed, are reported; the others adopted",
          "[adopt]") {
  CxxRoot r;
  std::string status = read_file(r.root + "/var/lib/dpkg/status");
  write_file(r.root + "/var/lib/dpkg/status",
             status + "Package: gone\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n");
  write_file(r.root + "/var/lib/dpkg/info/gone.list", "/.\n/usr\n/usr/bin\n/usr/bin/gone\n");
  Run all = r.abitag({"adopt", r.root});
  CHECK(all.exit_code == 3);
  CHECK(all.err == "abitag: gone: its files are gone (1 listed, none on disk)\n");
  CHECK(r.abitag({"show", "prog-a"}).exit_code == 0);
  CHECK(r.abitag({"show", "gone"}).exit_code == 3);

  Run named = r.abitag({"adopt", r.root, "--package", "no-such-package"});
  CHECK(named.exit_code == 3);
  CHECK(named.err == "abitag: no-such-package: not installed under " + r.root + "\n");
}
