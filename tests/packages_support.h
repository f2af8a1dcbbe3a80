// SPDX-License-Identifier: MIT
// What the package-database tests share.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <unistd.h>
#include <string>
#include <vector>

#include "packages/database.h"
#include "tests/support.h"

namespace abitag::test {

// MANAGER's database under ROOT; the test fails naming the error if there is none.
inline packages::Database read_or_fail(const std::string &root, packages::Manager manager) {
  auto database = packages::read_database(root, manager);
  if (!database)
    FAIL(llvm::toString(database.takeError()));
  return std::move(*database);
}

// The damaged entries as "ENTRY: REASON", sorted.
inline std::vector<std::string> damage_of(const packages::Database &database) {
  std::vector<std::string> out;
  for (const packages::DamagedEntry &entry : database.damaged)
    out.push_back(entry.entry + ": " + entry.reason);
  std::sort(out.begin(), out.end());
  return out;
}

// A package's file paths, in its database's order.
inline std::vector<std::string> paths_of(const packages::Package &package) {
  std::vector<std::string> out;
  for (packages::FileView file : package.files)
    out.emplace_back(file.path);
  return out;
}

// Installing the pacman and rpm fixture packages
// (scripts/make-fixtures-packages-alpm-rpm) into a temporary root with the
// real tools.

// pacman refuses to install as another user than root, and rpm chroots into
// the root: a test run by another user installs in a user namespace in which
// it is root.
inline Run as_root(const std::string &program, std::vector<std::string> args) {
  if (::geteuid() == 0)
    return run(program, args);
  require_tool("unshare", "util-linux");
  args.insert(args.begin(), {"--map-root-user", program});
  return run("unshare", args);
}

inline std::string pacman_package(const std::string &name_version) {
  return fixture("packages/pacman/" + name_version + "-x86_64.pkg.tar.zst");
}

inline std::string rpm_package(const std::string &name_version) {
  return fixture("packages/rpm/" + name_version + ".x86_64.rpm");
}

inline std::vector<std::string> pacman_args(const std::string &root, const std::vector<std::string> &args) {
  std::vector<std::string> all = {"-r", root, "--dbpath", root + "/var/lib/pacman"};
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

inline std::vector<std::string> rpm_args(const std::string &root, const std::vector<std::string> &args) {
  std::vector<std::string> all = {"--root", root, "--dbpath", "/var/lib/rpm"};
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

inline void pacman_install(const std::string &root, const std::vector<std::string> &packages) {
  require_tool("pacman", "pacman-package-manager");
  std::filesystem::create_directories(root + "/var/lib/pacman");
  // --nodeps twice: the fixtures depend on gcc-libs, which the root lacks.
  std::vector<std::string> args = {"-U", "--noconfirm", "--nodeps", "--nodeps"};
  for (const std::string &package : packages)
    args.push_back(pacman_package(package));
  Run installed = as_root("pacman", pacman_args(root, args));
  INFO(installed.out << installed.err);
  REQUIRE(installed.exit_code == 0);
}

inline void rpm_install(const std::string &root, const std::string &mode, const std::vector<std::string> &packages) {
  require_tool("rpm", "rpm");
  std::vector<std::string> args = {mode, "--nodeps"};
  for (const std::string &package : packages)
    args.push_back(rpm_package(package));
  Run installed = as_root("rpm", rpm_args(root, args));
  INFO(installed.out << installed.err);
  REQUIRE(installed.exit_code == 0);
}

} // namespace abitag::test
