// SPDX-License-Identifier: MIT
#include "analyzers/ghc/package_db_check.h"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include "fingerprint/rebuild_order.h"

namespace abitag::ghc {
namespace {

using UnitIndex = std::unordered_map<std::string_view, std::size_t>;

UnitIndex index_units(const std::vector<Unit> &units) {
  UnitIndex index;
  for (std::size_t i = 0; i < units.size(); ++i)
    index[units[i].info.id] = i; // later databases shadow earlier ones
  return index;
}

void find_direct_problems(const std::vector<Unit> &units, const UnitIndex &index,
                          std::vector<std::vector<Problem>> &problems) {
  std::map<std::pair<std::size_t, std::string_view>, std::size_t> first_in_db;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const PackageInfo &info = units[i].info;
    auto [it, fresh] = first_in_db.insert({{units[i].db, info.id}, i});
    if (!fresh) {
      problems[i].push_back({ProblemKind::DuplicateId, info.id,
                             "id " + info.id + " is also registered by " + units[it->second].path});
      problems[it->second].push_back({ProblemKind::DuplicateId, info.id,
                                      "id " + info.id + " is also registered by " + units[i].path});
    }
    const Field *key = info.field("key");
    if (!key || key->value != info.id)
      problems[i].push_back({ProblemKind::KeyMismatch, info.id,
                             "key field does not match id field (written by a Cabal older than 1.22?)"});
    for (std::size_t d = 0; d < info.depends.size(); ++d)
      if (std::find(info.depends.begin(), info.depends.begin() + d, info.depends[d]) !=
          info.depends.begin() + d)
        problems[i].push_back({ProblemKind::DuplicateDependency, info.depends[d],
                               "package has duplicate dependencies: " + info.depends[d]});
    for (const std::string &dep : info.depends)
      if (!index.count(dep))
        problems[i].push_back({ProblemKind::MissingDependency, dep, "dependency \"" + dep + "\" doesn't exist"});
    for (const AbiDependency &dep : info.abi_depends) {
      auto found = index.find(dep.unit_id);
      if (found == index.end()) {
        if (std::find(info.depends.begin(), info.depends.end(), dep.unit_id) == info.depends.end())
          problems[i].push_back({ProblemKind::MissingAbiDependency, dep.unit_id,
                                 "abi-depends names \"" + dep.unit_id + "\", which doesn't exist"});
        continue;
      }
      const std::string &now = units[found->second].info.abi;
      if (now != dep.abi)
        problems[i].push_back({ProblemKind::AbiMismatch, dep.unit_id,
                               "built against " + dep.unit_id + " with abi " + dep.abi +
                                   ", which now has abi " + (now.empty() ? "(none)" : now)});
    }
  }
}

// The units each unit depends on (resolved through the stack).
std::vector<std::vector<std::size_t>> dependency_edges(const std::vector<Unit> &units, const UnitIndex &index) {
  std::vector<std::vector<std::size_t>> edges(units.size());
  for (std::size_t i = 0; i < units.size(); ++i)
    for (const std::string &dep : units[i].info.depends)
      if (auto found = index.find(dep); found != index.end())
        edges[i].push_back(found->second);
  return edges;
}

void find_cycles(const std::vector<Unit> &units, const std::vector<std::vector<std::size_t>> &edges,
                 std::vector<std::vector<Problem>> &problems, CheckResult &result) {
  DependencyGraph graph;
  for (const Unit &unit : units)
    graph.names.push_back(unit.info.id);
  graph.depends = edges;
  for (const RebuildStep &step : rebuild_order(graph)) {
    if (!step.cycle)
      continue;
    std::vector<std::string> ids;
    std::string chain;
    for (std::size_t v : step.nodes) {
      ids.push_back(units[v].info.id);
      chain += (chain.empty() ? "" : " ") + units[v].info.id;
    }
    result.cycles.push_back(ids);
    for (std::size_t v : step.nodes)
      problems[v].push_back({ProblemKind::Cycle, ids.front(), "in a dependency cycle: " + chain});
  }
}

// ghc-pkg check's closure: whatever depends on a broken unit is broken.
void spread_to_dependants(const std::vector<Unit> &units, const std::vector<std::vector<std::size_t>> &edges,
                          std::vector<std::vector<Problem>> &problems) {
  std::vector<std::vector<std::size_t>> dependants(units.size());
  for (std::size_t i = 0; i < units.size(); ++i)
    for (std::size_t d : edges[i])
      dependants[d].push_back(i);
  std::deque<std::size_t> queue;
  for (std::size_t i = 0; i < units.size(); ++i)
    if (!problems[i].empty())
      queue.push_back(i);
  while (!queue.empty()) {
    std::size_t broken = queue.front();
    queue.pop_front();
    for (std::size_t user : dependants[broken]) {
      if (!problems[user].empty())
        continue;
      const std::string &id = units[broken].info.id;
      problems[user].push_back({ProblemKind::BrokenDependency, id, "depends on broken " + id});
      queue.push_back(user);
    }
  }
}

void order_rebuild(const std::vector<Unit> &units, const std::vector<std::vector<std::size_t>> &edges,
                   const std::vector<std::vector<Problem>> &problems, CheckResult &result) {
  // Rebuilding means rebuilding packages: a package's components are one node.
  std::map<std::string, std::size_t> node_of_package;
  std::vector<std::size_t> node_of_unit(units.size(), 0);
  DependencyGraph graph;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (problems[i].empty())
      continue;
    std::string package = package_of(units[i].info);
    auto [it, fresh] = node_of_package.insert({package, graph.names.size()});
    if (fresh) {
      graph.names.push_back(package);
      graph.depends.emplace_back();
    }
    node_of_unit[i] = it->second;
  }
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (problems[i].empty())
      continue;
    for (std::size_t d : edges[i])
      if (!problems[d].empty() && node_of_unit[d] != node_of_unit[i])
        graph.depends[node_of_unit[i]].push_back(node_of_unit[d]);
  }
  for (const RebuildStep &step : rebuild_order(graph)) {
    std::vector<std::string> names;
    for (std::size_t v : step.nodes)
      names.push_back(graph.names[v]);
    result.rebuild.push_back(std::move(names));
  }
}

} // namespace

const char *problem_kind_name(ProblemKind kind) {
  switch (kind) {
  case ProblemKind::MissingDependency: return "missing-dependency";
  case ProblemKind::DuplicateDependency: return "duplicate-dependency";
  case ProblemKind::AbiMismatch: return "abi-mismatch";
  case ProblemKind::MissingAbiDependency: return "missing-abi-dependency";
  case ProblemKind::KeyMismatch: return "key-mismatch";
  case ProblemKind::DuplicateId: return "duplicate-id";
  case ProblemKind::Cycle: return "cycle";
  case ProblemKind::BrokenDependency: return "broken-dependency";
  }
  return "unknown";
}

std::string package_of(const PackageInfo &info) {
  return info.version.empty() ? info.package() : info.package() + "-" + info.version;
}

CheckResult check_package_dbs(const std::vector<Unit> &units) {
  CheckResult result;
  UnitIndex index = index_units(units);
  std::vector<std::vector<Problem>> problems(units.size());
  find_direct_problems(units, index, problems);
  std::vector<std::vector<std::size_t>> edges = dependency_edges(units, index);
  find_cycles(units, edges, problems, result);
  spread_to_dependants(units, edges, problems);
  for (std::size_t i = 0; i < units.size(); ++i)
    if (!problems[i].empty())
      result.broken.push_back({i, problems[i]});
  order_rebuild(units, edges, problems, result);
  return result;
}

nlohmann::ordered_json component_json(const Unit &unit) {
  const PackageInfo &info = unit.info;
  nlohmann::ordered_json abi_depends = nlohmann::ordered_json::array();
  for (const AbiDependency &dep : info.abi_depends)
    abi_depends.push_back({{"id", dep.unit_id}, {"abi", dep.abi}});
  nlohmann::ordered_json out;
  out["path"] = unit.path;
  out["id"] = info.id;
  out["abi"] = info.abi;
  out["name"] = info.name;
  out["version"] = info.version;
  out["package-name"] = info.package();
  out["lib-name"] = info.lib_name.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(info.lib_name);
  out["depends"] = info.depends;
  out["abi-depends"] = std::move(abi_depends);
  return out;
}

} // namespace abitag::ghc
