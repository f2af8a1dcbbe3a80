// SPDX-License-Identifier: MIT
#include "tagger/check.h"

#include <algorithm>
#include <deque>
#include <map>
#include <regex>
#include <set>
#include <unordered_set>

#include "fingerprint/errors.h"

namespace abitag::tagger {
namespace {

// Walks from the seeds to everything that locks on a package in the set,
// never into EXCLUDED.
llvm::Expected<std::unordered_set<std::string>> rebuild_set(Store &store, const std::set<std::string> &seeds,
                                                            const std::set<std::string> &excluded) {
  std::unordered_set<std::string> members;
  std::deque<std::string> pending;
  for (const std::string &seed : seeds)
    if (!excluded.count(seed) && members.insert(seed).second)
      pending.push_back(seed);
  while (!pending.empty()) {
    llvm::Expected<std::vector<std::string>> dependants = store.dependants_of(pending.front());
    pending.pop_front();
    if (!dependants)
      return dependants.takeError();
    for (std::string &dependant : *dependants)
      if (!excluded.count(dependant) && members.insert(dependant).second)
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

// The packages of the store's locks that NOT_INSTALLED_IN says are not
// installed, each with the managers that say so.
llvm::Expected<std::map<std::string, std::vector<std::string>>> uninstalled_packages(
    Store &store, const NotInstalledIn &not_installed_in) {
  std::map<std::string, std::vector<std::string>> gone;
  if (!not_installed_in)
    return gone;
  llvm::Expected<std::vector<std::string>> packages = store.locked_packages();
  if (!packages)
    return packages.takeError();
  for (const std::string &package : *packages)
    if (std::vector<std::string> managers = not_installed_in(package); !managers.empty())
      gone.emplace(package, std::move(managers));
  return gone;
}

// The locks held by a package of GONE (those of WANTED, or all when it is
// empty), then the locks on one held by an installed package.
llvm::Expected<std::vector<UninstalledLock>> uninstalled_locks(
    Store &store, const std::map<std::string, std::vector<std::string>> &gone, const std::set<std::string> &wanted) {
  std::vector<UninstalledLock> out;
  auto add_locks_of = [&](const std::string &holder, const std::string &on) -> llvm::Error {
    if (!wanted.empty() && !wanted.count(holder))
      return llvm::Error::success();
    llvm::Expected<std::vector<Lock>> locks = store.locks(holder);
    if (!locks)
      return locks.takeError();
    for (Lock &lock : *locks)
      if (on.empty() || lock.dependency == on) {
        bool holder_gone = on.empty();
        std::vector<std::string> managers = gone.at(holder_gone ? holder : on);
        out.push_back({std::move(lock), holder_gone, std::move(managers)});
      }
    return llvm::Error::success();
  };
  for (const auto &[package, managers] : gone)
    if (llvm::Error e = add_locks_of(package, ""))
      return e;
  for (const auto &[package, managers] : gone) {
    llvm::Expected<std::vector<std::string>> dependants = store.dependants_of(package);
    if (!dependants)
      return dependants.takeError();
    for (const std::string &dependant : *dependants)
      if (!gone.count(dependant))
        if (llvm::Error e = add_locks_of(dependant, package))
          return e;
  }
  return out;
}

} // namespace

llvm::Expected<CheckReport> check(Store &store, const std::vector<std::string> &only,
                                  const NotInstalledIn &not_installed_in) {
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
  llvm::Expected<std::map<std::string, std::vector<std::string>>> gone = uninstalled_packages(store, not_installed_in);
  if (!gone)
    return gone.takeError();
  CheckReport report;
  std::set<std::string> wanted(only.begin(), only.end()), seeds, excluded;
  llvm::Expected<std::vector<UninstalledLock>> uninstalled = uninstalled_locks(store, *gone, wanted);
  if (!uninstalled)
    return uninstalled.takeError();
  report.uninstalled = std::move(*uninstalled);
  for (const UninstalledLock &lock : report.uninstalled)
    if (!lock.holder_gone)
      seeds.insert(lock.lock.package);
  for (StaleLock &lock : *stale)
    if ((wanted.empty() || wanted.count(lock.lock.package)) && !gone->count(lock.lock.package) &&
        !gone->count(lock.lock.dependency)) {
      seeds.insert(lock.lock.package);
      report.stale.push_back(std::move(lock));
    }
  for (const auto &[package, managers] : *gone)
    excluded.insert(package);
  llvm::Expected<RebuildOrder> rebuild = rebuild_from(store, seeds, excluded);
  if (!rebuild)
    return rebuild.takeError();
  report.rebuild = std::move(*rebuild);
  return report;
}

llvm::Expected<RebuildOrder> rebuild_from(Store &store, const std::set<std::string> &seeds,
                                          const std::set<std::string> &excluded) {
  llvm::Expected<std::unordered_set<std::string>> members = rebuild_set(store, seeds, excluded);
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

std::string describe(const UninstalledLock &uninstalled) {
  const Lock &lock = uninstalled.lock;
  std::string managers;
  for (const std::string &manager : uninstalled.managers)
    managers += (managers.empty() ? "" : ", ") + manager;
  return lock.package + ": " + lock.dependency + " " + lock.key + " locked " + lock.value + ", " +
         (uninstalled.holder_gone ? "held by " + lock.package : "on " + lock.dependency) +
         ", which is not installed (" + managers + ")";
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
  for (const UninstalledLock &uninstalled : report.uninstalled) {
    const Lock &lock = uninstalled.lock;
    nlohmann::ordered_json entry;
    entry["package"] = lock.package;
    entry["dependency"] = lock.dependency;
    entry["key"] = lock.key;
    entry["locked"] = lock.value;
    entry["reason"] = uninstalled.holder_gone ? "holder-not-installed" : "dependency-not-installed";
    entry["not_installed_in"] = uninstalled.managers;
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
