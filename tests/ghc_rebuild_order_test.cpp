// SPDX-License-Identifier: MIT
// The rebuild order: dependencies first, cycles named, same answer every time.
#include <catch2/catch.hpp>

#include "fingerprint/rebuild_order.h"

using namespace abitag;

namespace {

// Names the steps: "a", or "(b c)" for a cycle.
std::vector<std::string> names(const DependencyGraph &graph) {
  std::vector<std::string> out;
  for (const RebuildStep &step : rebuild_order(graph)) {
    std::string s;
    for (std::size_t v : step.nodes)
      s += (s.empty() ? "" : " ") + graph.names[v];
    out.push_back(step.cycle ? "(" + s + ")" : s);
  }
  return out;
}

} // namespace

TEST_CASE("rebuild order: dependencies before dependants, ties by name", "[rebuild-order]") {
  // app -> {lib, net}; net -> lib; lib -> base; tool stands alone
  DependencyGraph g{{"app", "base", "lib", "net", "tool"}, {{2, 3}, {}, {1}, {2}, {}}};
  CHECK(names(g) == std::vector<std::string>{"base", "lib", "net", "app", "tool"});
}

TEST_CASE("rebuild order: a cycle is one step, named with all its members", "[rebuild-order]") {
  // top -> b; b -> c; c -> b; c -> base; self -> self
  DependencyGraph g{{"base", "b", "c", "self", "top"}, {{}, {2}, {1, 0}, {3}, {1}}};
  CHECK(names(g) == std::vector<std::string>{"base", "(b c)", "(self)", "top"});
}

TEST_CASE("rebuild order: a long chain needs no deep recursion", "[rebuild-order]") {
  DependencyGraph g;
  const std::size_t n = 200000;
  for (std::size_t i = 0; i < n; ++i) {
    g.names.push_back("p" + std::to_string(1000000 + i));
    g.depends.push_back(i + 1 < n ? std::vector<std::size_t>{i + 1} : std::vector<std::size_t>{});
  }
  std::vector<RebuildStep> order = rebuild_order(g);
  REQUIRE(order.size() == n);
  CHECK(order.front().nodes.front() == n - 1);
  CHECK(order.back().nodes.front() == 0);
}
