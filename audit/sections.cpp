// SPDX-License-Identifier: MIT
// The audit's sections, in report order: a new section adds its
// make_*_section() line here (HACKING.md lists the other places).
#include "audit/section.h"

namespace abitag::audit {

std::vector<std::unique_ptr<AuditSection>> all_sections() {
  std::vector<std::unique_ptr<AuditSection>> out;
  out.push_back(make_cxxabi_section());
  out.push_back(make_linkage_section());
  out.push_back(make_ghc_section());
  out.push_back(make_sbcl_section());
  out.push_back(make_kmod_section());
  out.push_back(make_qt_section());
  out.push_back(make_python_section());
  out.push_back(make_ocaml_section());
  out.push_back(make_tags_section());
  return out;
}

const RootFiles &AuditContext::files() { return walked(nullptr); }

const RootFiles &AuditContext::walked(EarlyReads *early) {
  if (!files_) {
    std::function<void(const InputFile &)> on_elf;
    if (early)
      on_elf = [early](const InputFile &file) { early->offer(file); };
    files_ = std::make_unique<RootFiles>(find_root_files(root_, walk_, one_file_system_, progress_, on_elf));
  }
  return *files_;
}

ElfScan &AuditContext::elf_scan() {
  if (!elf_scan_) {
    // When the walk is still to be made, the ELF files are read as it finds
    // them, and the package database, which the findings name, meanwhile.
    owners_.load_ahead();
    auto keys = std::make_shared<SymbolKeyCache>(key_budget_);
    EarlyReads early(census_, keys);
    const RootFiles &found = walked(&early);
    // What the walk could not read is the walk report's (walk_report), not the scan's.
    elf_scan_ = std::make_unique<ElfScan>(root_, found.elf, std::vector<InputError>{}, progress_, census_, &early,
                                          keys);
  }
  return *elf_scan_;
}

const std::vector<Sysroot> &AuditContext::sysroots() {
  if (!sysroots_)
    sysroots_ = std::make_unique<std::vector<Sysroot>>(find_sysroots(elf_scan()));
  return *sysroots_;
}

} // namespace abitag::audit
