// SPDX-License-Identifier: MIT
// The preview's report for a person (text) and for a program (JSON), made
// from PreviewReport only.
#include <algorithm>

#include "audit/package_rollup.h"
#include "fingerprint/errors.h"
#include "fingerprint/row_field.h"
#include "preview/preview.h"

namespace abitag::preview {
namespace {

struct Heading {
  const char *section;
  audit::Severity severity;
  const char *text; // the text report's heading
  const char *json; // the verdict in the JSON document
};
// The report's parts, in order; the notes (informational findings of any
// section) come last.
constexpr Heading kHeadings[] = {
    {kImage, audit::Severity::BrokenNow, "BROKEN AS BUILT", "broken-as-built"},
    {kDependants, audit::Severity::BrokenNow, "WILL BREAK ON MERGE", "will-break"},
    {kTags, audit::Severity::AtRisk, "WILL GO STALE ON MERGE", "will-go-stale"},
};

const char *verdict_of(const audit::Finding &finding) {
  if (finding.severity == audit::Severity::Informational)
    return "note";
  for (const Heading &heading : kHeadings)
    if (finding.section == heading.section)
      return heading.json;
  return "note";
}

std::vector<const audit::Finding *> findings_of(const PreviewReport &report, const char *verdict) {
  std::vector<const audit::Finding *> out;
  for (const audit::Finding *finding : audit::ordered_findings(report.report))
    if (std::string_view(verdict_of(*finding)) == verdict)
      out.push_back(finding);
  return out;
}

std::string finding_text(const audit::Finding &finding, bool verbose) {
  std::string out = "  " + row_field(finding.file) + ": " + row_field(finding.reason) + "\n";
  for (std::size_t i = 0; i < finding.rebuild.size() && (verbose || i < audit::kLinesPerGroup); ++i)
    out += "    rebuild: " + row_field(finding.rebuild[i]) + "\n";
  return out;
}

std::string summary_text(const PreviewReport &report) {
  std::string replaced;
  for (const packages::PackageId &id : report.replaced)
    replaced += (replaced.empty() ? "" : ", ") + id.display();
  std::string out = "\nSUMMARY\n";
  out += "  image: " + std::to_string(report.image_files) + " files, " + std::to_string(report.image_elf_files) +
         " ELF files linked over the root\n";
  out += "  replaces: " + (replaced.empty() ? std::string("no installed package") : replaced) + "; " +
         std::to_string(report.taken_away.size()) + " of its files taken away\n";
  std::string libraries;
  for (const std::string &name : report.changed_libraries)
    libraries += (libraries.empty() ? "" : ", ") + name;
  out += "  libraries replaced: " + (libraries.empty() ? std::string("none") : libraries) + "\n";
  out += "  dependants linked again: " + std::to_string(report.dependants) + " (of " +
         std::to_string(report.indexed_elf_files) + " ELF files indexed)\n";
  return out;
}

} // namespace

std::string render_text(const PreviewReport &report, bool verbose) {
  std::string out = "abitag preview of " + row_field(report.image) + " over " + row_field(report.report.root) + "\n";
  bool breaks = false;
  for (const Heading &heading : kHeadings) {
    std::vector<const audit::Finding *> findings = findings_of(report, heading.json);
    if (findings.empty())
      continue;
    breaks = true;
    out += "\n" + std::string(heading.text) + " (" + std::to_string(findings.size()) + ")\n";
    for (const audit::Finding *finding : findings)
      out += finding_text(*finding, verbose);
  }
  std::vector<const audit::Finding *> notes = findings_of(report, "note");
  if (!notes.empty()) {
    out += "\nNOTES (" + std::to_string(notes.size()) + ")\n";
    for (const audit::Finding *finding : notes)
      out += finding_text(*finding, verbose);
  }
  if (!report.report.packages.empty() || !report.stale_packages.empty()) {
    out += "\nPACKAGES TO REBUILD AFTER THE MERGE\n";
    for (const audit::PackageToRebuild &package : report.report.packages)
      out += "  " + package.id.display() + "\n";
    for (const std::string &package : report.stale_packages)
      out += "  " + package + " (stale lock)\n";
  }
  for (const std::string &orphan : report.report.orphans)
    out += "  " + row_field(orphan) + ": not owned by any installed package\n";
  if (!breaks)
    out += "\nNothing breaks: every file the image ships links over the root, and every installed file that "
           "loads a library it replaces still finds what it needs.\n";
  return out + summary_text(report);
}

nlohmann::ordered_json render_json(const PreviewReport &report) {
  nlohmann::ordered_json doc;
  doc["image"] = report.image;
  doc["root"] = report.report.root;
  nlohmann::ordered_json replaced = nlohmann::ordered_json::array();
  for (const packages::PackageId &id : report.replaced)
    replaced.push_back(audit::package_json(id));
  doc["replaces"] = std::move(replaced);
  nlohmann::ordered_json counts;
  for (const char *verdict : {"broken-as-built", "will-break", "will-go-stale", "note"})
    counts[verdict] = findings_of(report, verdict).size();
  doc["counts"] = std::move(counts);
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const audit::Finding *f : audit::ordered_findings(report.report)) {
    nlohmann::ordered_json finding;
    finding["verdict"] = verdict_of(*f);
    finding["section"] = f->section;
    finding["kind"] = f->kind;
    finding["file"] = f->file;
    finding["reason"] = f->reason;
    finding["rebuild"] = f->rebuild;
    finding["details"] = f->details;
    nlohmann::ordered_json owners = nlohmann::ordered_json::array();
    if (auto it = report.report.owners.find(f->file); it != report.report.owners.end())
      for (const packages::PackageId &id : it->second)
        owners.push_back(audit::package_json(id));
    finding["packages"] = std::move(owners);
    findings.push_back(std::move(finding));
  }
  doc["findings"] = std::move(findings);
  nlohmann::ordered_json rebuild = nlohmann::ordered_json::array();
  for (const audit::PackageToRebuild &package : report.report.packages) {
    nlohmann::ordered_json entry = audit::package_json(package.id);
    entry["files"] = package.files;
    rebuild.push_back(std::move(entry));
  }
  doc["packages"] = std::move(rebuild);
  doc["stale_packages"] = report.stale_packages;
  doc["orphans"] = report.report.orphans;
  doc["summary"] = {{"image_files", report.image_files},
                    {"image_elf_files", report.image_elf_files},
                    {"taken_away", report.taken_away},
                    {"replaced_libraries", report.changed_libraries},
                    {"indexed_elf_files", report.indexed_elf_files},
                    {"dependants", report.dependants}};
  return doc;
}

std::vector<packages::PackageId> packages_to_rebuild(const PreviewReport &report) {
  std::vector<packages::PackageId> out;
  for (const audit::PackageToRebuild &package : report.report.packages)
    out.push_back(package.id);
  for (const packages::PackageId &id : report.stale_installed)
    if (std::none_of(out.begin(), out.end(), [&](const packages::PackageId &known) { return known.display() == id.display(); }))
      out.push_back(id);
  return out;
}

int exit_code(const PreviewReport &report) {
  for (const audit::SectionReport &section : report.report.sections)
    for (const audit::Finding &finding : section.findings)
      if (finding.severity != audit::Severity::Informational)
        return kExitFindings;
  return kExitOk;
}

} // namespace abitag::preview
