#include "tagger/rebuild_order.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <string_view>
#include <unordered_map>

namespace abitag::tagger {
namespace {

// The graph with packages numbered in name order (a std::map iterates sorted).
struct IndexedGraph {
  std::vector<std::string> names;
  std::vector<std::vector<int>> dependencies;
};

IndexedGraph index_graph(const DependencyGraph &graph) {
  IndexedGraph out;
  std::unordered_map<std::string_view, int> number;
  number.reserve(graph.size());
  for (const auto &entry : graph) {
    number.emplace(entry.first, static_cast<int>(out.names.size()));
    out.names.push_back(entry.first);
  }
  out.dependencies.resize(out.names.size());
  int node = 0;
  for (const auto &entry : graph) {
    for (const std::string &dependency : entry.second) {
      auto found = number.find(dependency);
      if (found != number.end())
        out.dependencies[node].push_back(found->second);
    }
    ++node;
  }
  return out;
}

// Tarjan's strongly connected components, iterative so that a long chain of
// dependencies cannot overflow the stack. Returns the component of each node.
std::vector<int> strongly_connected_components(const IndexedGraph &graph, int &count) {
  const int n = static_cast<int>(graph.names.size());
  std::vector<int> index(n, -1), lowlink(n, 0), component(n, -1);
  std::vector<bool> on_stack(n, false);
  std::vector<int> stack;
  std::vector<std::pair<int, std::size_t>> calls; // node, next edge to visit
  int next_index = 0;
  count = 0;
  for (int root = 0; root < n; ++root) {
    if (index[root] != -1)
      continue;
    calls.emplace_back(root, 0);
    while (!calls.empty()) {
      auto &[node, edge] = calls.back();
      if (edge == 0 && index[node] == -1) {
        index[node] = lowlink[node] = next_index++;
        stack.push_back(node);
        on_stack[node] = true;
      }
      if (edge < graph.dependencies[node].size()) {
        int next = graph.dependencies[node][edge++];
        if (index[next] == -1)
          calls.emplace_back(next, 0);
        else if (on_stack[next])
          lowlink[node] = std::min(lowlink[node], index[next]);
        continue;
      }
      if (lowlink[node] == index[node]) {
        int member;
        do {
          member = stack.back();
          stack.pop_back();
          on_stack[member] = false;
          component[member] = count;
        } while (member != node);
        ++count;
      }
      int finished = node;
      calls.pop_back();
      if (!calls.empty())
        lowlink[calls.back().first] = std::min(lowlink[calls.back().first], lowlink[finished]);
    }
  }
  return component;
}

} // namespace

RebuildOrder order_for_rebuild(const DependencyGraph &graph) {
  IndexedGraph indexed = index_graph(graph);
  int components = 0;
  std::vector<int> component = strongly_connected_components(indexed, components);

  // Members of each component in name order (nodes are numbered by name).
  std::vector<std::vector<int>> members(components);
  for (int node = 0; node < static_cast<int>(indexed.names.size()); ++node)
    members[component[node]].push_back(node);

  // Kahn's algorithm over the components, always taking the ready component
  // whose first member sorts first.
  std::vector<std::vector<int>> dependants(components);
  for (int node = 0; node < static_cast<int>(indexed.names.size()); ++node)
    for (int dependency : indexed.dependencies[node])
      if (component[dependency] != component[node])
        dependants[component[dependency]].push_back(component[node]);
  std::vector<int> waiting_on(components, 0);
  for (std::vector<int> &list : dependants) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    for (int next : list)
      ++waiting_on[next];
  }
  using Ready = std::pair<int, int>; // first member, component
  std::priority_queue<Ready, std::vector<Ready>, std::greater<Ready>> ready;
  for (int c = 0; c < components; ++c)
    if (waiting_on[c] == 0)
      ready.emplace(members[c].front(), c);

  RebuildOrder out;
  while (!ready.empty()) {
    int c = ready.top().second;
    ready.pop();
    bool cycle = members[c].size() > 1 ||
                 std::count(indexed.dependencies[members[c][0]].begin(),
                            indexed.dependencies[members[c][0]].end(), members[c][0]) > 0;
    std::vector<std::string> names;
    for (int node : members[c])
      names.push_back(indexed.names[node]);
    out.order.insert(out.order.end(), names.begin(), names.end());
    if (cycle)
      out.cycles.push_back(std::move(names));
    for (int next : dependants[c])
      if (--waiting_on[next] == 0)
        ready.emplace(members[next].front(), next);
  }
  return out;
}

} // namespace abitag::tagger
