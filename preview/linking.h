// SPDX-License-Identifier: MIT
// Linking files in the view of the merge as the audit's loader model links
// them (audit/loader.h): the image's own files once, and each installed
// dependant twice, as it links now and as it will link after the merge,
// where only what the merge changes is a finding.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/elf_scan.h"
#include "audit/loader.h"
#include "audit/report.h"
#include "packages/owner_index.h"
#include "preview/overlay.h"

namespace abitag::preview {

class MergeLinker {
public:
  MergeLinker(const Overlay &overlay, packages::InstalledPackages &installed, audit::Progress &progress);

  // The findings of the image's file at HOST (in the image) linked in the
  // view: missing libraries, versions and symbols, dual-ABI mismatches.
  std::vector<audit::Finding> link_image_file(const std::string &host);
  // The findings of the installed file PATH (inside ROOT) that only the
  // merge brings: what links now and will not.
  std::vector<audit::Finding> link_dependant(const std::string &path);

private:
  struct Unresolved {
    std::vector<audit::DynamicSymbol> plain;
    std::vector<audit::Finding> dual_abi;
  };
  // The symbols at INDEXES of OBJECT that do not resolve, those explained
  // by a dual-ABI twin in SCOPE as findings of SECTION.
  Unresolved explain(const audit::ElfEntry &object, const std::vector<std::size_t> &indexes,
                     const std::vector<const audit::ElfEntry *> &scope, const char *section);
  // A defined symbol of LIBRARY that differs from NAME only by the dual ABI.
  std::optional<audit::DynamicSymbol> twin_in(const audit::ElfEntry &library, const std::string &name);
  std::string rebuild_line(const std::string &path);

  const Overlay &overlay_;
  packages::InstalledPackages &installed_;
  audit::ElfScan now_, merged_;
  audit::Loader now_loader_, merged_loader_;
  // Each library's C++ exports by their dual-ABI-neutral form.
  std::map<const audit::ElfEntry *, std::multimap<std::string, audit::DynamicSymbol>> twins_;
};

} // namespace abitag::preview
