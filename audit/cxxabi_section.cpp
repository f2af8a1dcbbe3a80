// SPDX-License-Identifier: MIT
// The C++ ABI census: every ELF program and shared object under ROOT with
// the verdict `abitag cxxabi` gives it, summed up by family; libraries whose
// own interface mixes families, or that carry a standard library inside
// them, are named.
#include <bit>
#include <map>

#include "analyzers/cxxabi/cxxabi.h"
#include "audit/section.h"

namespace abitag::audit {
namespace {

// The families the census counts: new dual ABI, old, mixed, libc++, none.
std::string family_of(const std::string &verdict) {
  if (verdict == "new-dual-abi") return "new";
  if (verdict == "old-dual-abi") return "old";
  if (verdict == "mixed") return "mixed";
  if (verdict == "libc++") return "libc++";
  return "none"; // internal-only, no-std-in-interface
}

bool has_flag(const CensusFacts &census, const char *flag) {
  for (const std::string &f : census.flags)
    if (f == flag)
      return true;
  return false;
}

// libstdc++ and libc++ are the standard library: they define it, they do not embed it.
bool is_standard_library(const ElfEntry &entry) {
  const std::string &soname = entry.facts.soname;
  return soname.rfind("libstdc++.so", 0) == 0 || soname.rfind("libc++.so", 0) == 0 ||
         soname.rfind("libc++abi.so", 0) == 0;
}

// "the old libstdc++ ABI and the C++11 dual ABI".
std::string family_list(std::uint8_t families) {
  std::string out;
  const std::pair<std::uint8_t, const char *> names[] = {
      {cxxabi::kOldAbi, "the old libstdc++ ABI"}, {cxxabi::kNewAbi, "the C++11 dual ABI"}, {cxxabi::kLibcxx, "libc++"}};
  for (const auto &[bit, name] : names)
    if (families & bit)
      out += (out.empty() ? "" : " and ") + std::string(name);
  return out;
}

class CxxabiSection final : public AuditSection {
public:
  std::string_view name() const override { return "cxxabi"; }
  std::string_view description() const override {
    return "C++ ABI census: the standard-library ABI of every ELF program and library";
  }
  bool uses_census() const override { return true; }

  SectionReport run(AuditContext &context) override {
    ElfScan &scan = context.elf_scan();
    SectionReport out;
    std::map<std::string, std::size_t> families = {{"new", 0}, {"old", 0}, {"mixed", 0}, {"libc++", 0}, {"none", 0}};
    std::map<std::string, std::size_t> verdicts;
    nlohmann::ordered_json mixing = nlohmann::ordered_json::array(), embedding = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < scan.walked(); ++i) {
      const ElfEntry &entry = scan.entries()[i];
      const CensusFacts &census = entry.facts.census;
      ++families[family_of(census.verdict)];
      ++verdicts[census.verdict];
      if (cxxabi::family_count(census.interface_families) >= 2) {
        mixing.push_back(entry.path);
        Finding f{Severity::AtRisk, "cxxabi", "mixed-interface", entry.path,
                  "its own interface exports symbols of " + family_list(census.interface_families) +
                      " at once: whichever its dependants were built with, part of it does not match",
                  {context.owners().describe(entry.path)}};
        f.details["verdict"] = census.verdict;
        f.details["flags"] = census.flags;
        out.findings.push_back(std::move(f));
      }
      if (has_flag(census, "embeds-stdlib") && !is_standard_library(entry)) {
        embedding.push_back(entry.path);
        Finding f{Severity::Informational, "cxxabi", "embeds-stdlib", entry.path,
                  "links a C++ standard library statically and exports its symbols, which can interpose on "
                  "the system's libstdc++",
                  {}};
        f.details["verdict"] = census.verdict;
        out.findings.push_back(std::move(f));
      }
    }
    std::string line = std::to_string(scan.walked()) + " ELF files:";
    for (const auto &[family, n] : families)
      line += " " + family + " " + std::to_string(n) + ",";
    line.pop_back();
    out.summary_lines.push_back(line);
    out.summary_lines.push_back(std::to_string(mixing.size()) + " with a mixed interface, " +
                                std::to_string(embedding.size()) + " embedding a standard library");
    out.summary["files"] = scan.walked();
    out.summary["families"] = families;
    out.summary["verdicts"] = verdicts;
    out.summary["mixed_interface"] = std::move(mixing);
    out.summary["embeds_stdlib"] = std::move(embedding);
    return out;
  }
};

} // namespace

std::unique_ptr<AuditSection> make_cxxabi_section() { return std::make_unique<CxxabiSection>(); }

} // namespace abitag::audit
