// SPDX-License-Identifier: MIT
#include "audit/package_rollup.h"

#include <algorithm>
#include <map>
#include <set>

#include "tagger/rebuild_order.h"

namespace abitag::audit {
namespace {

using packages::Manager;
using packages::Package;

// The package names one recorded dependency may be satisfied by, as well as
// its text tells without the manager's resolver: alternatives ("a | b",
// "|| ( a b )") each, versions, slots, USE flags, repositories and dpkg
// architectures stripped. Approximated: virtual packages and rpm's soname
// and file requirements ("libfoo.so.1()(64bit)", "/bin/sh") name no
// package and resolve to none, so an order through them is not seen.
std::vector<std::string> dependency_names(std::string_view entry, Manager manager) {
  std::vector<std::string> names;
  std::string word;
  auto flush = [&] {
    std::string name = word;
    word.clear();
    if (manager == Manager::vdb || manager == Manager::exndbam) {
      // "!cat/pkg", ">=cat/pkg-1.2:0/1=[ssl]::gentoo", "=cat/pkg-1.2*"
      std::size_t start = name.find_first_not_of("<>=~!");
      name = start == std::string::npos ? "" : name.substr(start);
      name = name.substr(0, name.find_first_of(":["));
      bool versioned = start > 0;
      std::size_t dash = name.rfind('-');
      if (versioned && dash != std::string::npos && dash + 1 < name.size() && std::isdigit(name[dash + 1]))
        name.erase(dash);
      if (name.find('/') == std::string::npos)
        return; // "||", "(", ")", "use?"
    } else {
      // dpkg "libc6:amd64", pacman "libfoo>=1.2", rpm "libfoo" (its
      // operator and version are separate words, skipped as names below).
      name = name.substr(0, name.find_first_of(manager == Manager::dpkg ? ":(" : "<>=("));
      if (name.empty() || name == "|" || !std::isalnum(static_cast<unsigned char>(name[0])))
        return;
    }
    names.push_back(name);
  };
  for (char c : entry) {
    if (c == ' ' || c == '\t' || c == ',')
      flush();
    else
      word += c;
  }
  flush();
  return names;
}

// The rolled-up packages mapped to those of them they depend on, by display().
tagger::DependencyGraph dependencies_among(const std::vector<const Package *> &rolled_up) {
  std::map<std::pair<Manager, std::string>, std::vector<const Package *>> by_name;
  for (const Package *package : rolled_up)
    by_name[{package->id.manager, package->id.name}].push_back(package);
  tagger::DependencyGraph graph;
  for (const Package *package : rolled_up) {
    std::set<std::string> &depends = graph[package->id.display()];
    for (const std::string &entry : package->dependencies)
      for (const std::string &name : dependency_names(entry, package->id.manager)) {
        auto found = by_name.find({package->id.manager, name});
        if (found == by_name.end())
          continue;
        for (const Package *dependency : found->second)
          if (dependency != package)
            depends.insert(dependency->id.display());
      }
  }
  return graph;
}

// Each damaged entry, and a database that could not be read at all: at
// risk, as the audit cannot name the owners of that entry's files.
void add_damaged_entries(AuditReport &report, packages::InstalledPackages &installed) {
  for (const packages::DamagedEntry &damaged : installed.problems())
    report.walk.findings.push_back({Severity::AtRisk, "packages", "damaged-entry", damaged.entry,
                                    "damaged package database entry: " + damaged.reason, {}, {}});
}

// The files FINDING says to rebuild: the paths its rebuild entries start
// with; its own file when it names none.
std::vector<std::string> files_to_rebuild(const Finding &finding) {
  std::vector<std::string> files;
  for (const std::string &entry : finding.rebuild)
    if (std::string file = file_to_rebuild(entry); !file.empty())
      files.push_back(std::move(file));
  if (files.empty())
    files.push_back(finding.file);
  return files;
}

} // namespace

std::string file_to_rebuild(const std::string &entry) {
  if (entry.empty() || entry[0] != '/')
    return {};
  std::size_t end = entry.size();
  for (const char *tail : {" (package", ", ", " with ", " against "})
    end = std::min(end, entry.find(tail));
  return entry.substr(0, end);
}

nlohmann::ordered_json package_json(const packages::PackageId &id) {
  return {{"manager", packages::manager_name(id.manager)},
          {"name", id.name},
          {"version", id.version},
          {"slot", id.slot},
          {"architecture", id.architecture},
          {"repository", id.repository}};
}

void roll_up_by_package(AuditReport &report, packages::InstalledPackages &installed, Severity lowest) {
  const packages::OwnerIndex &index = installed.index();
  add_damaged_entries(report, installed);
  if (index.databases().empty())
    return;
  std::map<const Package *, std::set<std::string>> files_of;
  std::set<std::string> orphans;
  for (SectionReport &section : report.sections)
    for (Finding &finding : section.findings) {
      std::vector<packages::PackageId> &ids = report.owners[finding.file];
      if (ids.empty())
        for (const Package *owner : index.owners(finding.file))
          ids.push_back(owner->id);
      if (finding.severity == Severity::Informational || finding.severity > lowest)
        continue;
      for (const std::string &file : files_to_rebuild(finding)) {
        std::vector<const Package *> owners = index.owners(file);
        if (owners.empty())
          orphans.insert(file);
        for (const Package *owner : owners)
          files_of[owner].insert(file);
      }
    }
  std::vector<const Package *> rolled_up;
  std::map<std::string, const Package *> by_display;
  for (const auto &[package, files] : files_of) {
    rolled_up.push_back(package);
    by_display[package->id.display()] = package;
  }
  tagger::RebuildOrder order = tagger::order_for_rebuild(dependencies_among(rolled_up));
  for (const std::string &name : order.order) {
    const Package *package = by_display.at(name);
    const std::set<std::string> &files = files_of.at(package);
    report.packages.push_back({package->id, {files.begin(), files.end()}});
  }
  report.rebuild_cycles = std::move(order.cycles);
  report.orphans.assign(orphans.begin(), orphans.end());
}

} // namespace abitag::audit
