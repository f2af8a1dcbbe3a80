// SPDX-License-Identifier: MIT
// The rebuild order on its own: dependencies first, cycles named, stable.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "tagger/rebuild_order.h"

using abitag::tagger::DependencyGraph;
using abitag::tagger::order_for_rebuild;
using abitag::tagger::RebuildOrder;

namespace {

std::size_t position(const RebuildOrder &order, const std::string &package) {
  auto found = std::find(order.order.begin(), order.order.end(), package);
  REQUIRE(found != order.order.end());
  return static_cast<std::size_t>(found - order.order.begin());
}

// Every dependency inside the set comes before its dependant, unless both
// sit in the same cycle.
void require_dependencies_first(const DependencyGraph &graph, const RebuildOrder &order) {
  REQUIRE(order.order.size() == graph.size());
  for (const auto &[package, dependencies] : graph)
    for (const std::string &dependency : dependencies) {
      if (!graph.count(dependency))
        continue;
      bool same_cycle = std::any_of(order.cycles.begin(), order.cycles.end(), [&](const auto &cycle) {
        return std::count(cycle.begin(), cycle.end(), package) && std::count(cycle.begin(), cycle.end(), dependency);
      });
      if (!same_cycle)
        CHECK(position(order, dependency) < position(order, package));
    }
}

} // namespace

TEST_CASE("a chain is rebuilt from the bottom up", "[tagger][order]") {
  DependencyGraph graph{{"app", {"gui"}}, {"gui", {"base"}}, {"base", {}}};
  RebuildOrder order = order_for_rebuild(graph);
  CHECK(order.order == std::vector<std::string>{"base", "gui", "app"});
  CHECK(order.cycles.empty());
}

TEST_CASE("a diamond puts the shared dependency first and breaks ties by name", "[tagger][order]") {
  DependencyGraph graph{{"top", {"left", "right"}}, {"left", {"bottom"}}, {"right", {"bottom"}}, {"bottom", {}}};
  RebuildOrder order = order_for_rebuild(graph);
  CHECK(order.order == std::vector<std::string>{"bottom", "left", "right", "top"});
}

TEST_CASE("dependencies outside the set do not count", "[tagger][order]") {
  DependencyGraph graph{{"b", {"outside", "a"}}, {"a", {"also-outside"}}};
  RebuildOrder order = order_for_rebuild(graph);
  CHECK(order.order == std::vector<std::string>{"a", "b"});
}

TEST_CASE("a cycle is named and kept together, after its dependencies and before its dependants", "[tagger][order]") {
  DependencyGraph graph{{"base", {}}, {"x", {"y", "base"}}, {"y", {"z"}}, {"z", {"x"}}, {"user", {"y"}}};
  RebuildOrder order = order_for_rebuild(graph);
  CHECK(order.order == std::vector<std::string>{"base", "x", "y", "z", "user"});
  REQUIRE(order.cycles.size() == 1);
  CHECK(order.cycles[0] == std::vector<std::string>{"x", "y", "z"});
}

TEST_CASE("a package locking on itself is a cycle of one", "[tagger][order]") {
  RebuildOrder order = order_for_rebuild({{"self", {"self"}}, {"other", {}}});
  CHECK(order.order == std::vector<std::string>{"other", "self"});
  REQUIRE(order.cycles.size() == 1);
  CHECK(order.cycles[0] == std::vector<std::string>{"self"});
}

TEST_CASE("a chain of 50000 packages does not exhaust the stack", "[tagger][order]") {
  DependencyGraph graph;
  auto name = [](int i) { return "p" + std::to_string(100000 + i); };
  for (int i = 0; i < 50000; ++i)
    graph[name(i)] = i ? std::set<std::string>{name(i - 1)} : std::set<std::string>{};
  // Close the chain into one big cycle at the end too.
  DependencyGraph cyclic = graph;
  cyclic[name(0)].insert(name(49999));
  RebuildOrder order = order_for_rebuild(graph);
  REQUIRE(order.order.size() == 50000);
  CHECK(order.order.front() == name(0));
  CHECK(order.order.back() == name(49999));
  RebuildOrder cycle = order_for_rebuild(cyclic);
  REQUIRE(cycle.cycles.size() == 1);
  CHECK(cycle.cycles[0].size() == 50000);
}

TEST_CASE("random graphs: every dependency comes first, cycles are exactly the mutual dependencies",
          "[tagger][order]") {
  std::mt19937 random(5);
  for (int round = 0; round < 200; ++round) {
    int nodes = 1 + static_cast<int>(random() % 40);
    int edges = static_cast<int>(random() % (nodes * 3));
    DependencyGraph graph;
    for (int i = 0; i < nodes; ++i)
      graph["n" + std::to_string(i)];
    for (int e = 0; e < edges; ++e)
      graph["n" + std::to_string(random() % nodes)].insert("n" + std::to_string(random() % nodes));
    RebuildOrder order = order_for_rebuild(graph);
    require_dependencies_first(graph, order);
    // Two packages share a cycle exactly when each reaches the other.
    auto reaches = [&](const std::string &from, const std::string &to) {
      std::set<std::string> seen{from};
      std::vector<std::string> stack{from};
      while (!stack.empty()) {
        std::string at = stack.back();
        stack.pop_back();
        for (const std::string &next : graph[at]) {
          if (next == to)
            return true;
          if (seen.insert(next).second)
            stack.push_back(next);
        }
      }
      return false;
    };
    std::map<std::string, int> cycle_of;
    for (std::size_t c = 0; c < order.cycles.size(); ++c)
      for (const std::string &member : order.cycles[c])
        cycle_of[member] = static_cast<int>(c);
    for (const auto &a : graph)
      for (const auto &b : graph) {
        bool mutual = reaches(a.first, b.first) && reaches(b.first, a.first);
        bool together = cycle_of.count(a.first) && cycle_of.count(b.first) && cycle_of[a.first] == cycle_of[b.first];
        CHECK(mutual == together);
      }
    RebuildOrder again = order_for_rebuild(graph);
    CHECK(again.order == order.order);
  }
}
