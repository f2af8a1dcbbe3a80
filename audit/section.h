// SPDX-License-Identifier: MIT
// An audit section: one question asked of the whole ROOT ("do the C++ ABIs
// agree?", "does everything link?"). Sections are listed in sections.cpp;
// the front end's --only choices, the text report and the JSON document all
// come from that list. Every place a new section touches is listed in
// HACKING.md ("Adding an audit section").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/elf_scan.h"
#include "audit/progress.h"
#include "audit/report.h"
#include "audit/sysroots.h"
#include "packages/owner_index.h"

namespace abitag::audit {

// What every section may use. The ELF scan is made once, on first use, so
// sections that do not need it (a GHC package database check) cost nothing.
class AuditContext {
public:
  // WALK: host paths whose files are audited; empty: all of ROOT.
  // KEY_BUDGET: bytes of symbol keys the ELF scan keeps (SymbolKeyCache).
  // ONE_FILE_SYSTEM: the walk does not enter other file systems (find -xdev).
  // PACKAGE_NAMES false: no package database is read (owners() knows none).
  AuditContext(std::string root, std::vector<std::string> walk, bool census, Progress &progress,
               std::string tag_store, std::size_t key_budget = kDefaultKeyBudget, bool one_file_system = false,
               bool package_names = true)
      : root_(std::move(root)), walk_(std::move(walk)), census_(census), one_file_system_(one_file_system),
        progress_(progress), owners_(root_, package_names), tag_store_(std::move(tag_store)),
        key_budget_(key_budget) {}

  const std::string &root() const { return root_; } // canonical host path
  const std::string &tag_store() const { return tag_store_; } // the tag store, a path inside ROOT
  // The host paths --under named, whose files alone are audited; empty: all of ROOT.
  const std::vector<std::string> &walk() const { return walk_; }
  Progress &progress() { return progress_; }
  // The one walk of ROOT (or of the --under paths), made on first use.
  const RootFiles &files();
  bool walked() const { return files_ != nullptr; }
  bool one_file_system() const { return one_file_system_; }
  ElfScan &elf_scan();
  bool elf_scan_done() const { return elf_scan_ != nullptr; }
  // The sysroots the scanned files lie in (sysroots.h), found on first use.
  const std::vector<Sysroot> &sysroots();
  // The installed packages of every manager found under ROOT: findings name
  // the package a file belongs to.
  packages::InstalledPackages &owners() { return owners_; }

private:
  const RootFiles &walked(EarlyReads *early); // the walk, reading ELF files into EARLY as it goes

  std::string root_;
  std::vector<std::string> walk_;
  bool census_;
  bool one_file_system_;
  Progress &progress_;
  std::unique_ptr<RootFiles> files_;
  std::unique_ptr<ElfScan> elf_scan_;
  std::unique_ptr<std::vector<Sysroot>> sysroots_;
  packages::InstalledPackages owners_;
  std::string tag_store_;
  std::size_t key_budget_;
};

class AuditSection {
public:
  virtual ~AuditSection() = default;
  virtual std::string_view name() const = 0;        // the --only name
  virtual std::string_view description() const = 0; // one line for --help
  // Whether it reads ElfFacts::census (the scan skips the classifier if none does).
  virtual bool uses_census() const { return false; }
  // Its findings and summary; run_audit names the report after name().
  virtual SectionReport run(AuditContext &context) = 0;
};

// One file per package that owns any of FILES (paths inside the root),
// as "PATH (package NAME)", and in UNOWNED how many files no package owns:
// the packages still installing into a folder nothing loads from.
std::vector<std::string> one_file_per_package(AuditContext &context, const std::vector<std::string> &files,
                                              std::size_t &unowned);

// Every section, in report order.
std::vector<std::unique_ptr<AuditSection>> all_sections();

std::unique_ptr<AuditSection> make_cxxabi_section();
std::unique_ptr<AuditSection> make_linkage_section();
std::unique_ptr<AuditSection> make_ghc_section();
std::unique_ptr<AuditSection> make_sbcl_section();
std::unique_ptr<AuditSection> make_kmod_section();
std::unique_ptr<AuditSection> make_qt_section();
std::unique_ptr<AuditSection> make_ocaml_section();
std::unique_ptr<AuditSection> make_perl_section();
std::unique_ptr<AuditSection> make_python_section();
std::unique_ptr<AuditSection> make_tags_section();

} // namespace abitag::audit
