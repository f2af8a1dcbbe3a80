// SPDX-License-Identifier: MIT
// What the package-database tests share.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "packages/database.h"

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

} // namespace abitag::test
