// SPDX-License-Identifier: MIT
// What `abitag audit` reads of each file: the ELF facts (DT_NEEDED, SONAME,
// RPATH/RUNPATH, PT_INTERP, .gnu.version_d/_r, the symbol keys and the C++
// census), and the ld.so.cache reader of the SBCL library search; and that
// a report naming what was read, under a file name made of the input's
// bytes, prints as JSON that reads back the same and as text with one line
// per finding and per thing to rebuild.
#include <set>

#include "analyzers/sbcl/library_search.h"
#include "audit/elf_facts.h"
#include "audit/package_rollup.h"
#include "audit/report.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

namespace {

// A finding as the linkage section makes them: the file, what it needs,
// the names in its dynamic section in the details.
audit::AuditReport report_of(const audit::ElfFacts &facts, const std::string &name) {
  audit::Finding finding;
  finding.severity = audit::Severity::BrokenNow;
  finding.section = "linkage";
  finding.kind = "missing-library";
  finding.file = name;
  finding.reason = "needs " + (facts.needed.empty() ? facts.soname : facts.needed.front()) + ", found nowhere";
  finding.rebuild = facts.needed;
  nlohmann::ordered_json needs = nlohmann::ordered_json::array();
  for (const audit::VersionNeed &need : facts.version_needs)
    needs.push_back({{"file", need.file}, {"versions", need.versions}});
  finding.details = {{"soname", facts.soname},     {"interpreter", facts.interpreter},
                     {"rpath", facts.rpath},       {"runpath", facts.runpath},
                     {"versions", facts.version_definitions}, {"version_needs", std::move(needs)},
                     {"census", facts.census.verdict}};
  audit::SectionReport section;
  section.name = "linkage";
  section.findings.push_back(std::move(finding));
  section.summary_lines.push_back("read " + name);
  section.summary = {{"interpreter", facts.interpreter}};
  audit::AuditReport report;
  report.root = name;
  report.sections.push_back(std::move(section));
  return report;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  auto facts = audit::read_elf_facts(fuzz::buffer(data, size), /*census=*/true);
  if (facts) {
    audit::AuditReport report = report_of(*facts, fuzz::name_from(data, size));
    audit::TextOptions verbose;
    verbose.verbose = true;
    std::string text = audit::render_text(report, verbose);
    // What to rebuild is named once each: the file an entry starts with, else the entry.
    std::set<std::string> to_rebuild;
    for (const std::string &entry : facts->needed) {
      std::string file = audit::file_to_rebuild(entry);
      to_rebuild.insert(file.empty() ? entry : file);
    }
    // The heading, a blank line and the severity, the group, the finding and
    // its rebuilds, a blank line and SUMMARY, the section's line, the counts.
    if (std::count(text.begin(), text.end(), '\n') != static_cast<long>(9 + to_rebuild.size()))
      __builtin_trap();
    fuzz::check_json_round_trip(audit::render_json(std::move(report)));
  } else {
    to_message(facts.takeError());
  }
  sbcl::ld_so_cache_lists(fuzz::bytes(data, size), "libc.so.6");
  return 0;
}
