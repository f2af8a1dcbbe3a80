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

nlohmann::ordered_json description_json(const Description &description) {
  nlohmann::ordered_json listed = nlohmann::ordered_json::array();
  for (const QtFile &file : *description.files)
    listed.push_back(file_json(file));
  nlohmann::ordered_json doc;
  doc["analyzer"] = "qt";
  doc["value"] = description.value;
  doc["files"] = std::move(listed);
  doc["other_elf_files"] = description.other_elf;
  add_discovery_json(doc, description.links, description.other_files);
  return doc;
}

std::vector<std::string> description_explanation(const Description &description) {
  std::vector<std::string> lines;
  std::size_t exporting = 0, using_ = 0;
  for (const QtFile &file : *description.files) {
    explain_file(file, lines);
    exporting += file.exports_private_api();
    using_ += file.uses_private_api();
  }
  for (const SkippedLink &link : description.links)
    lines.push_back(link.path + ": skipped: " + link.what);
  lines.push_back(std::to_string(exporting) + " files export Qt's private API, " + std::to_string(using_) +
                  " use it; " + std::to_string(description.other_elf) + " other ELF files, " +
                  std::to_string(description.other_files) + " other files skipped");
  return lines;
}

std::vector<std::string> finding_lines(const CheckRun &run) {
  std::vector<std::string> lines;
  for (const CheckedFile &checked : run.files)
    for (const Finding &f : checked.findings)
      lines.push_back(checked.file->path + ": " + severity_name(f.severity) + ": " + f.detail);
  return lines;
}

nlohmann::ordered_json check_run_json(const CheckRun &run, const std::string &value) {
  nlohmann::ordered_json listed = nlohmann::ordered_json::array();
  for (const CheckedFile &checked : run.files) {
    nlohmann::ordered_json shown = file_json(*checked.file);
    shown["findings"] = nlohmann::ordered_json::array();
    for (const Finding &f : checked.findings)
      shown["findings"].push_back(finding_json(f));
    listed.push_back(std::move(shown));
  }
  nlohmann::ordered_json doc;
  doc["analyzer"] = "qt";
  doc["check"] = true;
  doc["root"] = run.root;
  doc["value"] = value;
  doc["files"] = std::move(listed);
  return doc;
}

std::vector<std::string> check_explanation(const CheckRun &run) {
  std::vector<std::string> lines;
  for (const CheckedFile &checked : run.files)
    for (const GoodUse &use : checked.good)
      lines.push_back(checked.file->path + ": " + use.library + " (" + use.tag + ") is " + use.path + ", " +
                      use.version + ", as built against");
  return lines;
}

} // namespace abitag::qt
