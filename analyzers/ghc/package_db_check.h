// SPDX-License-Identifier: MIT
// Checking a stack of package databases the way ghc-pkg check and GHC do,
// without the binary package.cache: which units are broken, why, and in
// which order their packages must be rebuilt.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/ghc/package_info.h"

namespace abitag::ghc {

// A component as read from a database of the stack.
struct Unit {
  PackageInfo info;
  std::string path;   // the file it came from
  std::size_t db = 0; // its database's place in the stack, global (0) first
};

// What `abitag ghc --json` prints of one unit.
nlohmann::ordered_json component_json(const Unit &unit);

enum class ProblemKind {
  MissingDependency, // a `depends` unit id exists nowhere in the stack (ghc-pkg check)
  DuplicateDependency, // a `depends` unit id listed twice (ghc-pkg check)
  AbiMismatch,       // an `abi-depends` hash differs from the unit's abi (GHC: shadowed)
  MissingAbiDependency, // an `abi-depends` unit id exists nowhere
  KeyMismatch,       // `key` differs from `id`: from a Cabal too old for this GHC (ghc-pkg check)
  DuplicateId,       // the same id twice in one database
  Cycle,             // the unit depends on itself through others
  BrokenDependency,  // it depends on a broken unit (ghc-pkg check's closure)
};

struct Problem {
  ProblemKind kind;
  std::string unit_id; // the dependency (or the other copy, or the cycle's next unit)
  std::string detail;  // one line, for people
};

struct BrokenUnit {
  std::size_t unit; // index into the checked units
  std::vector<Problem> problems;
};

struct CheckResult {
  std::vector<BrokenUnit> broken;                 // in input order
  std::vector<std::vector<std::string>> rebuild;  // package steps, dependencies first;
                                                  // a step of several is a cycle
  std::vector<std::vector<std::string>> cycles;   // unit ids of each dependency cycle
};

// A later database shadows an earlier one: a dependency resolves to the
// last unit with that id, as in GHC.
CheckResult check_package_dbs(const std::vector<Unit> &units);

const char *problem_kind_name(ProblemKind kind);

// The package a unit's rebuild means: package name and version.
std::string package_of(const PackageInfo &info);

} // namespace abitag::ghc
