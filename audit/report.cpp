// SPDX-License-Identifier: MIT
#include "audit/report.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <tuple>

#include "fingerprint/errors.h"
#include "audit/package_rollup.h"
#include "fingerprint/paths.h"
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

// "... 4 more findings (--verbose lists them)" for what a group leaves out.
std::string more_line(std::size_t more, const char *what) {
  return more ? "    ... " + std::to_string(more) + " more " + what + " (--verbose lists them)\n" : "";
}

// The packages to rebuild with their files under each, then the files no
// package owns.
std::string packages_text(const AuditReport &report, bool verbose) {
  std::string out;
  if (!report.packages.empty())
    out += "\nPACKAGES TO REBUILD, dependencies first (" + std::to_string(report.packages.size()) + ")\n";
  for (const PackageToRebuild &package : report.packages) {
    out += "  " + row_field(package.id.display()) + "\n";
    std::size_t shown = verbose ? package.files.size() : std::min(package.files.size(), kLinesPerGroup);
    for (std::size_t i = 0; i < shown; ++i)
      out += "    " + row_field(package.files[i]) + "\n";
    out += more_line(package.files.size() - shown, "files");
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

// The findings of one package, or of one folder when no package owns them.
struct Group {
  std::string heading; // "package NAME VERSION", "folder /usr/bin"
  std::vector<const Finding *> findings;
};

std::string group_heading(const AuditReport &report, const Finding &finding) {
  auto owners = report.owners.find(finding.file);
  if (owners == report.owners.end() || owners->second.empty())
    return "folder " + row_field(parent_dir(finding.file));
  std::string names;
  for (const packages::PackageId &id : owners->second)
    names += (names.empty() ? "" : ", ") + row_field(id.display());
  return (owners->second.size() > 1 ? "packages " : "package ") + names;
}

// FINDINGS (of one severity, in the report's order) by group, the groups
// in the order of their first finding.
std::vector<Group> grouped(const AuditReport &report, const std::vector<const Finding *> &findings) {
  std::vector<Group> groups;
  std::map<std::string, std::size_t> index;
  for (const Finding *f : findings) {
    std::string heading = group_heading(report, *f);
    auto [it, fresh] = index.emplace(heading, groups.size());
    if (fresh)
      groups.push_back({std::move(heading), {}});
    groups[it->second].findings.push_back(f);
  }
  return groups;
}

// What a group says to rebuild, each once: the package a file to rebuild
// belongs to (report.packages), else the file, with what its first entry
// adds ("..., or install what provides libfoo.so.1").
std::vector<std::string> rebuild_lines(const AuditReport &report, const Group &group) {
  std::map<std::string, std::string> package_of;
  for (const PackageToRebuild &package : report.packages)
    for (const std::string &file : package.files)
      package_of.emplace(file, package.id.display());
  std::vector<std::string> lines;
  std::set<std::string> named;
  for (const Finding *f : group.findings)
    for (const std::string &entry : f->rebuild) {
      std::string file = file_to_rebuild(entry);
      auto package = package_of.find(file);
      std::string subject = package != package_of.end() ? package->second : file.empty() ? entry : file;
      if (named.insert(subject).second)
        lines.push_back(package != package_of.end() ? subject : entry);
    }
  return lines;
}

std::string group_text(const AuditReport &report, const Group &group, bool verbose) {
  std::set<std::string> files;
  for (const Finding *f : group.findings)
    files.insert(f->file);
  std::size_t n = group.findings.size();
  std::string out = "  " + group.heading + ": " + std::to_string(n) + (n == 1 ? " finding" : " findings") + " on " +
                    std::to_string(files.size()) + (files.size() == 1 ? " file" : " files") + "\n";
  std::size_t shown = verbose ? n : std::min(n, kLinesPerGroup);
  for (std::size_t i = 0; i < shown; ++i) {
    const Finding *f = group.findings[i];
    out += "    " + row_field(f->file) + ": [" + f->section + "/" + f->kind + "] " + row_field(f->reason) + "\n";
  }
  out += more_line(n - shown, "findings");
  std::vector<std::string> rebuild = rebuild_lines(report, group);
  std::size_t rebuild_shown = verbose ? rebuild.size() : std::min(rebuild.size(), kLinesPerGroup);
  for (std::size_t i = 0; i < rebuild_shown; ++i)
    out += "    rebuild: " + row_field(rebuild[i]) + "\n";
  out += more_line(rebuild.size() - rebuild_shown, "to rebuild");
  return out;
}

nlohmann::ordered_json packages_json(const std::vector<packages::PackageId> &ids) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const packages::PackageId &id : ids)
    out.push_back(package_json(id));
  return out;
}

} // namespace

std::string render_text(const AuditReport &report, const TextOptions &options) {
  // A finding is one line whatever bytes its names hold (fingerprint/row_field.h).
  std::string out = "abitag audit of " + row_field(report.root) + ": " + std::to_string(report.files_read) +
                    " ELF files read; sections:";
  for (const SectionReport &section : report.sections)
    out += " " + section.name;
  out += "\n";
  std::vector<const Finding *> findings = ordered_findings(report);
  for (Severity severity : kSeverities) {
    std::vector<const Finding *> of_severity;
    std::copy_if(findings.begin(), findings.end(), std::back_inserter(of_severity),
                 [&](const Finding *f) { return f->severity == severity; });
    if (of_severity.empty() || severity > options.lowest)
      continue;
    out += "\n" + std::string(severity_heading(severity)) + " (" + std::to_string(of_severity.size()) + ")\n";
    for (const Group &group : grouped(report, of_severity))
      out += group_text(report, group, options.verbose);
  }
  out += packages_text(report, options.verbose);
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

nlohmann::ordered_json render_json(AuditReport &&report, Severity lowest) {
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
    if (f->severity > lowest)
      continue;
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
