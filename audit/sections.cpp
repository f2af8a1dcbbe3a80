// SPDX-License-Identifier: MIT
// The audit's sections, in report order: a new section adds its
// make_*_section() line here (HACKING.md lists the other places).
#include "audit/section.h"

#include <set>

namespace abitag::audit {

std::vector<std::unique_ptr<AuditSection>> all_sections() {
  std::vector<std::unique_ptr<AuditSection>> out;
  out.push_back(make_cxxabi_section());
  out.push_back(make_linkage_section());
  out.push_back(make_ghc_section());
  out.push_back(make_sbcl_section());
  out.push_back(make_kmod_section());
  out.push_back(make_qt_section());
  out.push_back(make_perl_section());
  out.push_back(make_python_section());
  out.push_back(make_ocaml_section());
  out.push_back(make_tags_section());
  return out;
}

std::vector<std::string> one_file_per_package(AuditContext &context, const std::vector<std::string> &files,
                                              std::size_t &unowned) {
  std::set<const packages::Package *> seen;
  std::vector<std::string> out;
  unowned = 0;
  for (const std::string &file : files) {
    std::vector<const packages::Package *> owners = context.owners().index().owners(file);
    unowned += owners.empty();
    bool fresh = false;
    for (const packages::Package *owner : owners)
      fresh |= seen.insert(owner).second;
    if (fresh)
      out.push_back(context.owners().describe(file));
  }
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
