// SPDX-License-Identifier: MIT
// The checker: which locks went stale, and what to rebuild in which order.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>
#include <nlohmann/json.hpp>

#include "tagger/rebuild_order.h"
#include "tagger/store.h"

namespace abitag::tagger {

// A lock held by, or on, a package that the package manager no longer lists
// as installed: the tag store and the manager's database disagree.
struct UninstalledLock {
  Lock lock;
  bool holder_gone = true; // the holder is not installed; else its dependency is not
  // The managers ("dpkg") whose databases could list the package and do not.
  std::vector<std::string> managers;
};

// Which package managers' databases could list PACKAGE (a store id) and do
// not: empty when it is installed, or when no database can tell.
using NotInstalledIn = std::function<std::vector<std::string>(const std::string &package)>;

struct CheckReport {
  std::vector<StaleLock> stale;
  // Besides: held by, or on, an uninstalled package (NOT_INSTALLED_IN given).
  // A lock of either kind is not also in `stale`.
  std::vector<UninstalledLock> uninstalled;
  // The dependants holding stale locks plus, transitively, every package that
  // locks on one of them: rebuilding a package may change its own tags.
  // No package the manager does not list is in it: one whose locks are held
  // on an uninstalled package is (it was built against what is gone).
  RebuildOrder rebuild;
  bool clean() const { return stale.empty() && uninstalled.empty(); }
};

// Checks the locks held by ONLY (all packages when empty); the rebuild set
// still follows dependants over the whole store. Naming a package the store
// does not know is an error. With NOT_INSTALLED_IN, every package of the
// store's locks is asked whether it is still installed.
llvm::Expected<CheckReport> check(Store &store, const std::vector<std::string> &only,
                                  const NotInstalledIn &not_installed_in = {});

// SEEDS plus, transitively, every package that locks on one of them, in
// rebuild order: what check() gives for the packages holding stale locks.
// EXCLUDED (packages not installed) are left out and not walked through.
llvm::Expected<RebuildOrder> rebuild_from(Store &store, const std::set<std::string> &seeds,
                                          const std::set<std::string> &excluded = {});

nlohmann::ordered_json to_json(const CheckReport &report);

// The stale lock as one line: "PKG: DEP KEY locked VALUE, now VALUE".
std::string describe(const StaleLock &stale);
// "PKG: DEP KEY locked VALUE, held by PKG, which is not installed (dpkg)",
// or "..., on DEP, which is not installed (dpkg)".
std::string describe(const UninstalledLock &uninstalled);

// A Paludis package spec for PACKAGE: "=ID" when the id carries a version
// (Paludis's "=" needs one), the id itself (category/name:slot) otherwise.
std::string cave_spec(const std::string &package);

} // namespace abitag::tagger
