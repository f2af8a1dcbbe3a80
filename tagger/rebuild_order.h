// SPDX-License-Identifier: MIT
// The order in which to rebuild a set of packages: every package after the
// packages of the set it depends on. Dependency cycles cannot be ordered; their
// members are kept next to each other and named, so a person can decide.
//
// The store's view (package names) over fingerprint/rebuild_order.h, the
// ordering the GHC database check uses too.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace abitag::tagger {

// Each package of the set mapped to the packages it depends on. Dependencies
// outside the set are ignored; a package that only appears as a dependency is
// not part of the set.
using DependencyGraph = std::map<std::string, std::set<std::string>>;

struct RebuildOrder {
  std::vector<std::string> order;               // dependencies first
  std::vector<std::vector<std::string>> cycles; // each sorted by name, in rebuild order
};

// Ties are broken by name, so the same graph always gives the same order.
RebuildOrder order_for_rebuild(const DependencyGraph &graph);

} // namespace abitag::tagger
