// SPDX-License-Identifier: MIT
// The audit's report: findings from every section, each with a severity, the
// file, the reason and what to rebuild, printed grouped by severity (text) or
// as one JSON document. Sections only add findings and a summary; they never
// print, so a new section (ghc, sbcl, tags) needs no change here.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "packages/database.h"

namespace abitag::audit {

enum class Severity {
  BrokenNow,     // fails today: a library or symbol the loader cannot find
  AtRisk,        // works today but breaks on the next rebuild or upgrade
  Informational, // worth knowing, nothing to do
};
const char *severity_name(Severity severity); // "broken-now", "at-risk", "informational"

struct Finding {
  Severity severity = Severity::Informational;
  std::string section; // the section that found it: "linkage", "cxxabi", later "ghc"...
  std::string kind;    // short machine name: "missing-library", "undefined-symbol"...
  std::string file;    // the file concerned, as a path inside ROOT
  std::string reason;  // one sentence for a person
  std::vector<std::string> rebuild; // what to rebuild (files, with their package when known)
  nlohmann::ordered_json details = nlohmann::ordered_json::object(); // for --json
};

// A mask (masks.h): findings it hid are taken out of the report, and counted.
struct Mask {
  enum class Kind {
    Path,    // "exclude": the findings on files matching PATTERN, or in folders matching it
    Library, // "mask-library": missing sonames matching PATTERN (and the symbols they would define)
  };
  Kind kind = Kind::Path;
  std::string pattern; // a glob, fnmatch(3) without FNM_PATHNAME: '*' matches '/' too
  std::string source;  // "--exclude", or "/etc/abitag/audit.conf:LINE"
  std::size_t hidden = 0;
};
const char *mask_keyword(Mask::Kind kind); // "exclude", "mask-library"

// A package a broken or at-risk finding's file belongs to, with those files.
struct PackageToRebuild {
  packages::PackageId id;
  std::vector<std::string> files;
};

// What one section hands back: its findings and a summary of what it looked at.
struct SectionReport {
  std::string name;
  std::vector<Finding> findings;
  std::vector<std::string> summary_lines;                             // the text report
  nlohmann::ordered_json summary = nlohmann::ordered_json::object(); // the JSON report
};

struct AuditReport {
  std::string root;
  // What the walk of ROOT covered (root_files.h: walk_report), its findings
  // under the section name "walk"; no name when no section walked ROOT.
  SectionReport walk;
  std::vector<SectionReport> sections;
  std::size_t files_read = 0;
  // The broken and at-risk findings by package (package_rollup.h):
  // dependencies first, each cycle's members next to each other.
  std::vector<PackageToRebuild> packages;
  std::vector<std::vector<std::string>> rebuild_cycles; // PackageId::display() each
  std::vector<std::string> orphans;                      // their files no package owns
  // The installed packages that own each finding's file (kept here, not in
  // Finding, whose sections build it field by field).
  std::map<std::string, std::vector<packages::PackageId>> owners;
  std::vector<Mask> masks; // in the order given, with what each hid
};

// An empty JSON object with room for KEYS keys. nlohmann's ordered_json keeps
// an object's members in a vector of pair<const string, json>, which copies
// its elements when it grows (a const key cannot be moved from): every value
// already in it, copied whole. Adding a section's megabytes of details to an
// object that then grows copied them again (half of the JSON report's time).
nlohmann::ordered_json object_with_room(std::size_t keys);

// Findings of every section, ordered by severity, then file, then section.
std::vector<const Finding *> ordered_findings(const AuditReport &report);
std::size_t count(const AuditReport &report, Severity severity);

// How the text report is cut for a person: broken-now first, each severity's
// findings grouped by the package owning their files (when the package
// databases were read) or by folder, a few lines a group.
struct TextOptions {
  bool verbose = false;                    // every finding and rebuild line of a group
  Severity lowest = Severity::Informational; // --severity: the least severe shown
};
inline constexpr std::size_t kLinesPerGroup = 3; // findings, and rebuild lines, a group shows unless verbose

std::string render_text(const AuditReport &report, const TextOptions &options = {});
// Consumes REPORT: its details and summaries, megabytes for a whole system,
// are moved into the document, not copied. Findings less severe than LOWEST
// are left out (the counts still count them).
nlohmann::ordered_json render_json(AuditReport &&report, Severity lowest = Severity::Informational);

// kExitFindings when anything is broken now, kExitOk otherwise.
int exit_code(const AuditReport &report);

} // namespace abitag::audit
