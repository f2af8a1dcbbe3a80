// SPDX-License-Identifier: MIT
// `abitag preview IMAGE`: what merging a package image over ROOT will break,
// before it is merged. IMAGE is laid over ROOT as a view (overlay.h); its own
// programs and libraries are linked in it ("broken as built"); the installed
// files that load a library the merge replaces or takes away, found through
// an index of what each ELF file under ROOT needs, are linked in it again and
// compared with how they link now ("will break on merge"); and the image's
// tags are compared with the replaced package's recorded ones ("will go stale
// on merge": the packages locked on a tag that changes).
#pragma once

#include <string>
#include <vector>

#include <llvm/Support/Error.h>
#include <nlohmann/json.hpp>

#include "audit/report.h"
#include "packages/database.h"
#include "tagger/store.h"

namespace abitag::preview {

struct PreviewOptions {
  std::string image;
  std::string root = "/";
  // The packages IMAGE replaces (names or store ids); empty: those that own
  // a file IMAGE ships.
  std::vector<std::string> replaces;
  // The tag store, a path inside ROOT.
  std::string tag_store = tagger::kDefaultStorePath;
  // Index every ELF file under ROOT for dependants, not only the packages'
  // files that may be programs or libraries (needed_index.h).
  bool whole_root = false;
  bool progress = false;
};

// The report's sections, each a verdict.
inline constexpr const char *kImage = "image";           // broken as built
inline constexpr const char *kDependants = "dependants"; // will break on merge
inline constexpr const char *kTags = "tags";             // will go stale on merge

struct PreviewReport {
  std::string image;
  // The findings (broken ones are Severity::BrokenNow: broken once merged;
  // stale tags AtRisk; notes Informational), the packages to rebuild (those
  // of the dependants that will break) and the files no package owns.
  audit::AuditReport report;
  std::vector<packages::PackageId> replaced;
  std::vector<std::string> taken_away;       // files of the replaced packages the image no longer ships
  std::vector<std::string> changed_libraries; // the sonames of ROOT's libraries the merge replaces or takes away
  std::size_t image_files = 0, image_elf_files = 0;
  std::size_t indexed_elf_files = 0; // ELF files of ROOT whose needed libraries were indexed
  std::size_t dependants = 0;        // of them, those linked again
  std::vector<std::string> stale_packages; // store ids locked on a tag that changes
  std::vector<packages::PackageId> stale_installed; // the installed packages they name
};

// Fails when IMAGE or ROOT cannot be used (missing, not a folder) or a
// --replaces package is not installed under ROOT (InputErrors, exit 3);
// damaged files in the image are findings.
llvm::Expected<PreviewReport> run_preview(const PreviewOptions &options);

std::string render_text(const PreviewReport &report, bool verbose);
nlohmann::ordered_json render_json(const PreviewReport &report);
// kExitFindings when anything will break (as built or on merge) or go stale.
int exit_code(const PreviewReport &report);
// The installed packages to rebuild after the merge: those of the
// dependants that will break, then those locked on a tag that changes.
std::vector<packages::PackageId> packages_to_rebuild(const PreviewReport &report);

} // namespace abitag::preview
