// SPDX-License-Identifier: MIT
#include "tests/adopt_support.h"

#include <filesystem>
#include <regex>

#include <catch2/catch.hpp>

namespace abitag::test {

void write_dpkg_database(const std::string &root, const std::map<std::string, std::vector<std::string>> &packages) {
  std::filesystem::create_directories(root + "/var/lib/dpkg/info");
  std::string status;
  for (const auto &[name, files] : packages) {
    status += "Package: " + name + "\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n\n";
    std::string list = "/.\n";
    for (const std::string &file : files)
      list += file + "\n";
    write_file(root + "/var/lib/dpkg/info/" + name + ".list", list);
  }
  write_file(root + "/var/lib/dpkg/status", status);
}

nlohmann::json adopt_json(const std::string &root, const std::string &db, std::vector<std::string> args) {
  args.insert(args.begin(), {"adopt", root, "--json"});
  args.insert(args.end(), {"--db", db});
  Run run = abitag::test::run(abitag_binary(), args);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return nlohmann::json::parse(run.out);
}

std::vector<std::string> shown(const std::string &package, const std::string &db) {
  Run run = abitag::test::run(abitag_binary(), {"show", package, "--db", db});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  // "(cxxabi, TIME)" for a tag, "(TIME)" for a lock.
  static const std::regex time(R"(, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ(?=\))| \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\))");
  std::vector<std::string> out;
  for (const std::string &line : lines(run.out))
    out.push_back(std::regex_replace(line, time, ""));
  return out;
}

} // namespace abitag::test
