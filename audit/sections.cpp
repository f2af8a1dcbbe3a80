// The audit's sections, in report order. A new section (tags) is
// one make_*_section() line here.
#include "audit/section.h"

namespace abitag::audit {

std::vector<std::unique_ptr<AuditSection>> all_sections() {
  std::vector<std::unique_ptr<AuditSection>> out;
  out.push_back(make_cxxabi_section());
  out.push_back(make_linkage_section());
  out.push_back(make_ghc_section());
  out.push_back(make_sbcl_section());
  return out;
}

ElfScan &AuditContext::elf_scan() {
  if (!elf_scan_)
    elf_scan_ = walk_.empty() ? std::make_unique<ElfScan>(root_, progress_, census_)
                              : std::make_unique<ElfScan>(root_, walk_, progress_, census_);
  return *elf_scan_;
}

} // namespace abitag::audit
