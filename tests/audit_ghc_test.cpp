// SPDX-License-Identifier: MIT
// The audit's GHC section on a root holding Debian's global database and a
// user database: the broken set must be the one the real `ghc-pkg check`
// reported for the same database (committed with the fixture).
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

// ROOT/var/lib/ghc/package.conf.d holds the global database, and a user's
// ~/.ghc database holds the confs of USER_DB.
std::string make_root(const TempDir &dir, const std::string &user_db) {
  std::string global = dir.path() + "/var/lib/ghc/package.conf.d";
  std::string user = dir.path() + "/home/user/.ghc/x86_64-linux-9.0.2/package.conf.d";
  fs::create_directories(global);
  fs::create_directories(user);
  for (const auto &entry : fs::directory_iterator(fixture("ghc/debian-global")))
    fs::copy_file(entry.path(), global + "/" + entry.path().filename().string());
  for (const auto &entry : fs::directory_iterator(fixture(user_db)))
    if (entry.path().extension() == ".conf")
      fs::copy_file(entry.path(), user + "/" + entry.path().filename().string());
  return dir.path();
}

} // namespace

TEST_CASE("audit ghc: broken units of a user database are what ghc-pkg check reported", "[audit][ghc]") {
  TempDir dir;
  std::string root = make_root(dir, "ghc/db-broken");
  Run r = run(abitag_binary(), {"audit", root, "--only", "ghc", "--json"});
  CHECK(r.exit_code == 1);
  auto doc = nlohmann::json::parse(r.out);
  std::set<std::string> rebuild;
  for (const auto &finding : doc["findings"]) {
    CHECK(finding["severity"] == "broken-now");
    CHECK(finding["section"] == "ghc");
    CHECK(finding["file"].get<std::string>().rfind("/home/user/.ghc/", 0) == 0);
    for (const auto &package : finding["rebuild"])
      rebuild.insert(package.get<std::string>());
  }
  // `ghc-pkg check --simple-output` of the same stack, run when the fixture was made.
  std::istringstream simple(read_file(fixture("ghc/db-broken/ghc-pkg-check.simple")));
  std::set<std::string> expected;
  for (std::string package; simple >> package;)
    expected.insert(package);
  REQUIRE(!expected.empty());
  CHECK(rebuild == expected);
  CHECK(doc["sections"]["ghc"]["databases"] == 2);
}

TEST_CASE("audit ghc: a good user database over the global one reports nothing", "[audit][ghc]") {
  TempDir dir;
  std::string root = make_root(dir, "ghc/db-good");
  Run r = run(abitag_binary(), {"audit", root, "--only", "ghc"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("BROKEN NOW") == std::string::npos);
  CHECK(r.out.find("ghc: 2 package databases (1 of users), 0 broken units") != std::string::npos);
}
