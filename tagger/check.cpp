// SPDX-License-Identifier: MIT
#include "tagger/check.h"

#include <algorithm>
#include <deque>
#include <regex>
#include <set>
#include <unordered_set>

#include "fingerprint/errors.h"

namespace abitag::tagger {
namespace {

// Walks from the seeds to everything that locks on a package in the set.
llvm::Expected<std::unordered_set<std::string>> rebuild_set(Store &store, const std::set<std::string> &seeds) {
  std::unordered_set<std::string> members(seeds.begin(), seeds.end());
  std::deque<std::string> pending(seeds.begin(), seeds.end());
  while (!pending.empty()) {
    llvm::Expected<std::vector<std::string>> dependants = store.dependants_of(pending.front());
    pending.pop_front();
    if (!dependants)
      return dependants.takeError();
    for (std::string &dependant : *dependants)
      if (members.insert(dependant).second)
        pending.push_back(std::move(dependant));
  }
  return members;
}

llvm::Expected<DependencyGraph> graph_within(Store &store, const std::unordered_set<std::string> &members) {
  DependencyGraph graph;
  for (const std::string &package : members) {
    llvm::Expected<std::vector<std::string>> dependencies = store.dependencies_of(package);
    if (!dependencies)
      return dependencies.takeError();
    std::set<std::string> &inside = graph[package];
    for (std::string &dependency : *dependencies)
      if (members.count(dependency))
        inside.insert(std::move(dependency));
  }
  return graph;
}

std::string current_text(const StaleLock &stale) {
  if (stale.current)
    return *stale.current;
  return stale.dependency_known ? "(no such tag)" : "(package gone)";
}

} // namespace

llvm::Expected<CheckReport> check(Store &store, const std::vector<std::string> &only) {
  for (const std::string &package : only) {
    llvm::Expected<bool> known = store.knows(package);
    if (!known)
      return known.takeError();
    if (!*known)
      return make_error(package + ": not in the store " + store.path());
  }
  llvm::Expected<std::vector<StaleLock>> stale = store.stale_locks();
  if (!stale)
    return stale.takeError();
  CheckReport report;
  std::set<std::string> wanted(only.begin(), only.end()), seeds;
  for (StaleLock &lock : *stale)
    if (wanted.empty() || wanted.count(lock.lock.package)) {
      seeds.insert(lock.lock.package);
      report.stale.push_back(std::move(lock));
    }
  llvm::Expected<RebuildOrder> rebuild = rebuild_from(store, seeds);
  if (!rebuild)
    return rebuild.takeError();
  report.rebuild = std::move(*rebuild);
  return report;
}

llvm::Expected<RebuildOrder> rebuild_from(Store &store, const std::set<std::string> &seeds) {
  llvm::Expected<std::unordered_set<std::string>> members = rebuild_set(store, seeds);
  if (!members)
    return members.takeError();
  llvm::Expected<DependencyGraph> graph = graph_within(store, *members);
  if (!graph)
    return graph.takeError();
  return order_for_rebuild(*graph);
}

std::string describe(const StaleLock &stale) {
  const Lock &lock = stale.lock;
  return lock.package + ": " + lock.dependency + " " + lock.key + " locked " + lock.value + ", now " +
         current_text(stale);
}

nlohmann::ordered_json to_json(const CheckReport &report) {
  nlohmann::ordered_json out;
  out["stale"] = nlohmann::ordered_json::array();
  for (const StaleLock &stale : report.stale) {
    nlohmann::ordered_json entry;
    entry["package"] = stale.lock.package;
    entry["dependency"] = stale.lock.dependency;
    entry["key"] = stale.lock.key;
    entry["locked"] = stale.lock.value;
    entry["current"] = stale.current ? nlohmann::ordered_json(*stale.current) : nlohmann::ordered_json(nullptr);
    entry["reason"] = stale.current ? "changed" : stale.dependency_known ? "tag-gone" : "package-gone";
    out["stale"].push_back(std::move(entry));
  }
  out["rebuild"] = report.rebuild.order;
  out["cycles"] = report.rebuild.cycles;
  return out;
}

std::string cave_spec(const std::string &package) {
  // Exherbo/Paludis versions: 1.2.3b_rc1-r2, or scm. The name part is what
  // lies between the category's '/' and the slot's ':'.
  static const std::regex versioned(
      R"(.*-([0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|p)[0-9]*)*(-r[0-9]+)?|scm))");
  std::size_t slash = package.find('/');
  std::size_t colon = package.find(':', slash == std::string::npos ? 0 : slash);
  std::size_t start = slash == std::string::npos ? 0 : slash + 1;
  std::string name = package.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
  return std::regex_match(name, versioned) ? "=" + package : package;
}

} // namespace abitag::tagger
