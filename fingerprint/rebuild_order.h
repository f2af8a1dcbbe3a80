// SPDX-License-Identifier: MIT
// The order in which to rebuild a set of packages: every package after the
// ones it depends on, and packages that depend on each other (a cycle) named
// together as one step. Shared by the GHC database check and the tagger's
// checker; it knows only names and edges.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace abitag {

struct DependencyGraph {
  std::vector<std::string> names;                 // one per node; ties are broken by name
  std::vector<std::vector<std::size_t>> depends;  // node -> the nodes it needs first
};

struct RebuildStep {
  std::vector<std::size_t> nodes; // one node, or every member of a cycle (sorted by name)
  bool cycle = false;             // also true for a node that depends on itself
};

// Dependencies first. Among steps that could go next, the one whose first
// name sorts lowest goes first, so the same graph always gives the same order.
std::vector<RebuildStep> rebuild_order(const DependencyGraph &graph);

} // namespace abitag
