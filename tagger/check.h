// SPDX-License-Identifier: MIT
// The checker: which locks went stale, and what to rebuild in which order.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>
#include <nlohmann/json.hpp>

#include "tagger/rebuild_order.h"
#include "tagger/store.h"

namespace abitag::tagger {

struct CheckReport {
  std::vector<StaleLock> stale;
  // The dependants holding stale locks plus, transitively, every package that
  // locks on one of them: rebuilding a package may change its own tags.
  RebuildOrder rebuild;
};

// Checks the locks held by ONLY (all packages when empty); the rebuild set
// still follows dependants over the whole store. Naming a package the store
// does not know is an error.
llvm::Expected<CheckReport> check(Store &store, const std::vector<std::string> &only);

// SEEDS plus, transitively, every package that locks on one of them, in
// rebuild order: what check() gives for the packages holding stale locks.
llvm::Expected<RebuildOrder> rebuild_from(Store &store, const std::set<std::string> &seeds);

nlohmann::ordered_json to_json(const CheckReport &report);

// The stale lock as one line: "PKG: DEP KEY locked VALUE, now VALUE".
std::string describe(const StaleLock &stale);

// A Paludis package spec for PACKAGE: "=ID" when the id carries a version
// (Paludis's "=" needs one), the id itself (category/name:slot) otherwise.
std::string cave_spec(const std::string &package);

} // namespace abitag::tagger
