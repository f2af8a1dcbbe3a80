// SPDX-License-Identifier: MIT
#include "audit/report.h"

#include <algorithm>
#include <tuple>

#include "fingerprint/errors.h"
#include "audit/package_rollup.h"
#include "fingerprint/row_field.h"

namespace abitag::audit {

const char *severity_name(Severity severity) {
  switch (severity) {
  case Severity::BrokenNow: return "broken-now";
  case Severity::AtRisk: return "at-risk";
  case Severity::Informational: return "informational";
  }
  return "?";
}

const char *mask_keyword(Mask::Kind kind) { return kind == Mask::Kind::Path ? "exclude" : "mask-library"; }

namespace {

const char *severity_heading(Severity severity) {
  switch (severity) {
  case Severity::BrokenNow: return "BROKEN NOW";
  case Severity::AtRisk: return "AT RISK";
  case Severity::Informational: return "INFORMATIONAL";
  }
  return "?";
}

constexpr Severity kSeverities[] = {Severity::BrokenNow, Severity::AtRisk, Severity::Informational};

} // namespace

namespace {

// Pointers to the findings of REPORT (const or not) in the report's order.
template <class Report> auto findings_in_order(Report &report) {
  std::vector<decltype(&report.sections.front().findings.front())> out;
  for (auto &finding : report.walk.findings)
    out.push_back(&finding);
  for (auto &section : report.sections)
    for (auto &finding : section.findings)
      out.push_back(&finding);
  std::stable_sort(out.begin(), out.end(), [](const Finding *a, const Finding *b) {
    return std::tie(a->severity, a->file, a->section) < std::tie(b->severity, b->file, b->section);
  });
  return out;
}

} // namespace

std::vector<const Finding *> ordered_findings(const AuditReport &report) { return findings_in_order(report); }

std::size_t count(const AuditReport &report, Severity severity) {
  std::size_t n = 0;
  for (const Finding &finding : report.walk.findings)
    n += finding.severity == severity;
  for (const SectionReport &section : report.sections)
    for (const Finding &finding : section.findings)
      n += finding.severity == severity;
  return n;
}

namespace {

// The packages to rebuild with their files under each, then the files no
// package owns.
std::string packages_text(const AuditReport &report) {
  std::string out;
  if (!report.packages.empty())
    out += "\nPACKAGES TO REBUILD, dependencies first (" + std::to_string(report.packages.size()) + ")\n";
  for (const PackageToRebuild &package : report.packages) {
    out += "  " + row_field(package.id.display()) + "\n";
    for (const std::string &file : package.files)
      out += "    " + row_field(file) + "\n";
  }
  for (const std::vector<std::string> &cycle : report.rebuild_cycles) {
    std::string members;
    for (const std::string &member : cycle)
      members += (members.empty() ? "" : ", ") + row_field(member);
    out += "  dependency cycle, rebuilt together: " + members + "\n";
  }
  if (!report.orphans.empty())
    out += "\nNOT OWNED BY ANY INSTALLED PACKAGE (" + std::to_string(report.orphans.size()) + ")\n";
  for (const std::string &file : report.orphans)
    out += "  " + row_field(file) + "\n";
  return out;
}

nlohmann::ordered_json packages_json(const std::vector<packages::PackageId> &ids) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const packages::PackageId &id : ids)
    out.push_back(package_json(id));
  return out;
}

} // namespace

std::string render_text(const AuditReport &report) {
  // A finding is one line whatever bytes its names hold (fingerprint/row_field.h).
  std::string out = "abitag audit of " + row_field(report.root) + ": " + std::to_string(report.files_read) +
                    " ELF files read; sections:";
  for (const SectionReport &section : report.sections)
    out += " " + section.name;
  out += "\n";
  std::vector<const Finding *> findings = ordered_findings(report);
  for (Severity severity : kSeverities) {
    std::size_t n = count(report, severity);
    if (!n)
      continue;
    out += "\n" + std::string(severity_heading(severity)) + " (" + std::to_string(n) + ")\n";
    for (const Finding *f : findings) {
      if (f->severity != severity)
        continue;
      out += "  " + row_field(f->file) + ": [" + f->section + "/" + f->kind + "] " + row_field(f->reason) + "\n";
      for (const std::string &target : f->rebuild)
        out += "    rebuild: " + row_field(target) + "\n";
    }
  }
  out += packages_text(report);
  out += "\nSUMMARY\n";
  for (const std::string &line : report.walk.summary_lines)
    out += "  walk: " + line + "\n";
  for (const SectionReport &section : report.sections)
    for (const std::string &line : section.summary_lines)
      out += "  " + section.name + ": " + row_field(line) + "\n";
  for (const Mask &mask : report.masks)
    out += "  masked: " + std::to_string(mask.hidden) + " findings hidden by " + mask_keyword(mask.kind) + " " +
           row_field(mask.pattern) + " (" + mask.source + ")\n";
  out += "  " + std::to_string(count(report, Severity::BrokenNow)) + " broken now, " +
         std::to_string(count(report, Severity::AtRisk)) + " at risk, " +
         std::to_string(count(report, Severity::Informational)) + " informational\n";
  return out;
}

nlohmann::ordered_json object_with_room(std::size_t keys) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out.get_ref<nlohmann::ordered_json::object_t &>().reserve(keys);
  return out;
}

nlohmann::ordered_json render_json(AuditReport &&report) {
  nlohmann::ordered_json doc = object_with_room(10);
  doc["root"] = report.root;
  doc["files_read"] = report.files_read;
  if (!report.walk.name.empty())
    doc["walk"] = std::move(report.walk.summary);
  nlohmann::ordered_json counts;
  for (Severity severity : kSeverities)
    counts[severity_name(severity)] = count(report, severity);
  doc["counts"] = std::move(counts);
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (Finding *f : findings_in_order(report)) {
    nlohmann::ordered_json finding;
    finding["severity"] = severity_name(f->severity);
    finding["section"] = std::move(f->section);
    finding["kind"] = std::move(f->kind);
    finding["file"] = f->file;
    finding["reason"] = std::move(f->reason);
    finding["rebuild"] = std::move(f->rebuild);
    finding["details"] = std::move(f->details);
    auto owners = report.owners.find(f->file);
    finding["packages"] = owners == report.owners.end() ? nlohmann::ordered_json::array() : packages_json(owners->second);
    findings.push_back(std::move(finding));
  }
  doc["findings"] = std::move(findings);
  nlohmann::ordered_json rebuild = nlohmann::ordered_json::array();
  for (const PackageToRebuild &package : report.packages) {
    nlohmann::ordered_json entry = package_json(package.id);
    entry["files"] = package.files;
    rebuild.push_back(std::move(entry));
  }
  doc["packages"] = std::move(rebuild);
  doc["rebuild_cycles"] = report.rebuild_cycles;
  doc["orphans"] = report.orphans;
  nlohmann::ordered_json sections = object_with_room(report.sections.size());
  for (SectionReport &section : report.sections)
    sections[section.name] = std::move(section.summary);
  doc["sections"] = std::move(sections);
  nlohmann::ordered_json masks = nlohmann::ordered_json::array();
  for (const Mask &mask : report.masks)
    masks.push_back({{"mask", mask_keyword(mask.kind)}, {"pattern", mask.pattern}, {"source", mask.source},
                     {"hidden", mask.hidden}});
  doc["masks"] = std::move(masks);
  return doc;
}

int exit_code(const AuditReport &report) {
  return count(report, Severity::BrokenNow) ? kExitFindings : kExitOk;
}

} // namespace abitag::audit
