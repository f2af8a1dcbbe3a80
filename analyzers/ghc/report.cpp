// SPDX-License-Identifier: MIT
#include "analyzers/ghc/report.h"

#include "fingerprint/discover.h"

namespace abitag::ghc {

bool unit_shown(const Unit &unit, bool all) { return all || unit.info.is_main_library(); }

nlohmann::ordered_json units_json(const ReadResult &read, const std::string &value) {
  nlohmann::ordered_json doc;
  nlohmann::ordered_json components = nlohmann::ordered_json::array();
  for (const Unit &unit : read.units)
    components.push_back(component_json(unit));
  doc["analyzer"] = "ghc";
  doc["value"] = value;
  doc["components"] = std::move(components);
  add_discovery_json(doc, read.links, read.other_files);
  return doc;
}

std::vector<std::string> units_explanation(const ReadResult &read, bool all) {
  std::vector<std::string> lines;
  for (const Unit &unit : read.units)
    lines.push_back(unit.path + ": " + unit.info.display_name() + " id " + unit.info.id + " abi " +
                    (unit.info.abi.empty() ? "(none)" : unit.info.abi) +
                    (unit.info.lib_name.empty() ? "" : " sub-library " + unit.info.lib_name) +
                    (unit_shown(unit, all) ? "" : " (not shown without --all)"));
  return lines;
}

std::vector<std::string> check_lines(const ReadResult &read, const CheckResult &result, std::size_t databases) {
  std::vector<std::string> lines;
  for (const BrokenUnit &b : result.broken)
    for (const Problem &p : b.problems)
      lines.push_back(read.units[b.unit].info.id + ": " + p.detail);
  if (!result.rebuild.empty())
    lines.push_back("rebuild order:");
  for (const std::vector<std::string> &step : result.rebuild) {
    std::string line = step.size() > 1 ? "cycle:" : "";
    for (const std::string &package : step)
      line += (line.empty() ? "" : " ") + package;
    lines.push_back(line);
  }
  if (result.broken.empty())
    lines.push_back("no broken packages (" + std::to_string(read.units.size()) + " units in " +
                    std::to_string(databases) + (databases == 1 ? " database)" : " databases)"));
  return lines;
}

nlohmann::ordered_json check_json(const ReadResult &read, const CheckResult &result,
                                  const std::vector<std::string> &databases, const std::string &value) {
  nlohmann::ordered_json broken = nlohmann::ordered_json::array();
  for (const BrokenUnit &b : result.broken) {
    const Unit &unit = read.units[b.unit];
    nlohmann::ordered_json problems = nlohmann::ordered_json::array();
    for (const Problem &p : b.problems)
      problems.push_back({{"kind", problem_kind_name(p.kind)}, {"unit", p.unit_id}, {"detail", p.detail}});
    broken.push_back({{"id", unit.info.id},
                      {"package", unit.info.display_name()},
                      {"database", databases[unit.db]},
                      {"path", unit.path},
                      {"problems", std::move(problems)}});
  }
  nlohmann::ordered_json order = nlohmann::ordered_json::array();
  for (const std::vector<std::string> &step : result.rebuild)
    for (const std::string &package : step)
      order.push_back(package);
  nlohmann::ordered_json doc;
  doc["analyzer"] = "ghc";
  doc["mode"] = "check";
  doc["value"] = value;
  doc["databases"] = databases;
  doc["units"] = read.units.size();
  doc["broken"] = std::move(broken);
  doc["rebuild_order"] = std::move(order);
  doc["cycles"] = result.cycles;
  add_discovery_json(doc, read.links, read.other_files);
  return doc;
}

std::vector<std::string> check_explanation(const ReadResult &read, const std::vector<std::string> &databases) {
  std::vector<std::string> lines;
  for (const Unit &unit : read.units)
    lines.push_back(databases[unit.db] + ": " + unit.info.id + " abi " +
                    (unit.info.abi.empty() ? "(none)" : unit.info.abi));
  return lines;
}

} // namespace abitag::ghc
