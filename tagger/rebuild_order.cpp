// SPDX-License-Identifier: MIT
#include "tagger/rebuild_order.h"

#include <string_view>
#include <unordered_map>

#include "fingerprint/rebuild_order.h"

namespace abitag::tagger {

RebuildOrder order_for_rebuild(const DependencyGraph &graph) {
  // Number the packages in name order (a std::map iterates sorted) and keep
  // only the edges that stay inside the set.
  abitag::DependencyGraph indexed;
  std::unordered_map<std::string_view, std::size_t> number;
  number.reserve(graph.size());
  for (const auto &[name, dependencies] : graph) {
    number.emplace(name, indexed.names.size());
    indexed.names.push_back(name);
  }
  indexed.depends.resize(indexed.names.size());
  std::size_t node = 0;
  for (const auto &[name, dependencies] : graph) {
    for (const std::string &dependency : dependencies)
      if (auto found = number.find(dependency); found != number.end())
        indexed.depends[node].push_back(found->second);
    ++node;
  }

  RebuildOrder out;
  for (const RebuildStep &step : rebuild_order(indexed)) {
    std::vector<std::string> names;
    for (std::size_t member : step.nodes)
      names.push_back(indexed.names[member]);
    out.order.insert(out.order.end(), names.begin(), names.end());
    if (step.cycle)
      out.cycles.push_back(std::move(names));
  }
  return out;
}

} // namespace abitag::tagger
