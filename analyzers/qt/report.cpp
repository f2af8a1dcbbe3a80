// SPDX-License-Identifier: MIT
#include "analyzers/qt/report.h"

namespace abitag::qt {
namespace {

nlohmann::ordered_json version_json(const KnownVersion &v) {
  return {{"value", v.text()}, {"source", source_name(v.source)}};
}

std::string joined(const std::vector<std::string> &items) {
  std::string out;
  for (const std::string &item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

} // namespace

nlohmann::ordered_json file_json(const QtFile &file) {
  nlohmann::ordered_json j;
  j["path"] = file.path;
  j["soname"] = file.soname;
  j["exports"] = file.private_tags;
  if (file.exports_private_api()) {
    j["private_symbols_exported"] = file.private_exports.size();
    j["version"] = version_json(provided_version(file));
  }
  nlohmann::ordered_json uses = nlohmann::ordered_json::array();
  for (const PrivateUse &use : file.private_uses) {
    nlohmann::ordered_json symbols = nlohmann::ordered_json::array();
    for (const ImportedSymbol &symbol : use.symbols)
      symbols.push_back(symbol.name);
    uses.push_back({{"library", use.library},
                    {"version", use.tag},
                    {"in_dt_needed", use.listed_needed},
                    {"built_against", version_json(built_against(file, use))},
                    {"symbols", std::move(symbols)}});
  }
  j["uses"] = std::move(uses);
  return j;
}

nlohmann::ordered_json finding_json(const Finding &f) {
  return {{"severity", severity_name(f.severity)},
          {"library", f.library},
          {"version", f.tag},
          {"provider", f.provider_path},
          {"built_against", version_json(f.built_against)},
          {"installed", version_json(f.installed)},
          {"detail", f.detail}};
}

void explain_file(const QtFile &file, std::vector<std::string> &lines) {
  if (file.exports_private_api())
    lines.push_back(file.path + ": exports Qt's private API (" + joined(file.private_tags) + ", " +
                    std::to_string(file.private_exports.size()) + " symbols): " +
                    provided_version(file).described());
  for (const PrivateUse &use : file.private_uses)
    lines.push_back(file.path + ": uses Qt's private API of " + use.library + " (" + use.tag + ", " +
                    std::to_string(use.symbols.size()) + " symbols), built against " +
                    built_against(file, use).described() +
                    (use.listed_needed ? "" : "; " + use.library + " is not among its DT_NEEDED"));
}

} // namespace abitag::qt
