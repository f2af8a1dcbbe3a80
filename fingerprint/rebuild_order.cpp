// SPDX-License-Identifier: MIT
#include "fingerprint/rebuild_order.h"

#include <algorithm>
#include <queue>

namespace abitag {
namespace {

// Tarjan's strongly connected components, with an explicit stack so that a
// long dependency chain cannot overflow the call stack. Returns the
// component of each node.
std::vector<std::size_t> strong_components(const DependencyGraph &graph, std::size_t *count) {
  constexpr std::size_t kUnseen = static_cast<std::size_t>(-1);
  std::size_t n = graph.names.size();
  std::vector<std::size_t> index(n, kUnseen), low(n, 0), component(n, kUnseen);
  std::vector<bool> on_stack(n, false);
  std::vector<std::size_t> stack;
  std::size_t next_index = 0;
  *count = 0;
  struct Frame {
    std::size_t node, edge;
  };
  for (std::size_t root = 0; root < n; ++root) {
    if (index[root] != kUnseen)
      continue;
    std::vector<Frame> calls{{root, 0}};
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!calls.empty()) {
      Frame &frame = calls.back();
      std::size_t v = frame.node;
      if (frame.edge < graph.depends[v].size()) {
        std::size_t w = graph.depends[v][frame.edge++];
        if (index[w] == kUnseen) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = true;
          calls.push_back({w, 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::size_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component[w] = *count;
        } while (w != v);
        ++*count;
      }
      calls.pop_back();
      if (!calls.empty())
        low[calls.back().node] = std::min(low[calls.back().node], low[v]);
    }
  }
  return component;
}

} // namespace

std::vector<RebuildStep> rebuild_order(const DependencyGraph &graph) {
  std::size_t count = 0;
  std::vector<std::size_t> component = strong_components(graph, &count);
  std::vector<RebuildStep> steps(count);
  for (std::size_t v = 0; v < graph.names.size(); ++v)
    steps[component[v]].nodes.push_back(v);
  auto by_name = [&](std::size_t a, std::size_t b) { return graph.names[a] < graph.names[b]; };
  for (RebuildStep &step : steps)
    std::sort(step.nodes.begin(), step.nodes.end(), by_name);

  // Kahn's algorithm over the components: a step is ready when every step it
  // depends on has been emitted.
  std::vector<std::vector<std::size_t>> dependants(count);
  std::vector<std::size_t> waiting(count, 0);
  for (std::size_t v = 0; v < graph.names.size(); ++v)
    for (std::size_t w : graph.depends[v]) {
      if (component[v] == component[w]) {
        if (v == w)
          steps[component[v]].cycle = true;
        continue;
      }
      dependants[component[w]].push_back(component[v]);
      ++waiting[component[v]];
    }
  for (RebuildStep &step : steps)
    step.cycle = step.cycle || step.nodes.size() > 1;

  auto later = [&](std::size_t a, std::size_t b) {
    return graph.names[steps[a].nodes.front()] > graph.names[steps[b].nodes.front()];
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> ready(later);
  for (std::size_t c = 0; c < count; ++c)
    if (waiting[c] == 0)
      ready.push(c);
  std::vector<RebuildStep> order;
  while (!ready.empty()) {
    std::size_t c = ready.top();
    ready.pop();
    order.push_back(steps[c]);
    for (std::size_t d : dependants[c])
      if (--waiting[d] == 0)
        ready.push(d);
  }
  return order;
}

} // namespace abitag
