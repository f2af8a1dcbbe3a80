// SPDX-License-Identifier: MIT
// `abitag audit`: every section run over one ROOT, gathered in one report.
#pragma once

#include <string>
#include <vector>

#include <llvm/Support/Error.h>

#include "audit/report.h"
#include "audit/symbol_key_cache.h"
#include "tagger/store.h"

namespace abitag::audit {

struct AuditOptions {
  std::string root = "/";
  std::vector<std::string> only; // section names; empty: all
  // Paths inside ROOT whose files are audited (libraries they load are read
  // wherever they are); empty: all of ROOT.
  std::vector<std::string> under;
  // --exclude: globs of paths inside ROOT whose findings are hidden and
  // counted (masks.h), before the masks of ROOT's audit.conf.
  std::vector<std::string> exclude;
  bool progress = false;         // draw a progress bar on stderr
  bool one_file_system = false;  // -x: the walk does not enter other file systems
  // --no-packages: the package databases are not read; findings name files
  // only, with no packages, orphans or rebuild by package.
  bool package_names = true;
  // --severity: the least severe findings shown, and so rolled up into the
  // packages to rebuild (informational ones never are).
  Severity lowest = Severity::Informational;
  // Bytes of symbol keys kept from the scan for the linkage check; past it
  // they are read again when needed (SymbolKeyCache).
  std::size_t key_budget = kDefaultKeyBudget;
  // The tag store, a path inside ROOT like every other path of the audit.
  std::string tag_store = tagger::kDefaultStorePath;
  // What the audit read (the walk, the ELF scan, package owners) is not
  // freed when run_audit returns but left for the process's exit to
  // reclaim: for a command that exits right after, freeing it is wasted work.
  bool leave_to_exit = false;
};

// The names and descriptions of the sections, for --only and --help.
std::vector<std::pair<std::string, std::string>> section_names();

// ROOT as a canonical path (library paths found under it are compared with
// it by prefix), or why it cannot be audited (missing, not a folder, unreadable).
llvm::Expected<std::string> usable_root(const std::string &root);

// Fails only when ROOT cannot be used (missing, not a folder, unreadable)
// or its audit.conf has a bad line (an InputError naming file and line);
// damaged files under ROOT are findings.
llvm::Expected<AuditReport> run_audit(const AuditOptions &options);

} // namespace abitag::audit
