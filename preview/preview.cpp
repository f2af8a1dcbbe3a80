// SPDX-License-Identifier: MIT
#include "preview/preview.h"

#include <algorithm>
#include <set>
#include <sys/stat.h>

#include "audit/audit.h"
#include "audit/elf_facts.h"
#include "audit/package_rollup.h"
#include "audit/progress.h"
#include "audit/root_files.h"
#include "fingerprint/discover.h"
#include "fingerprint/open_path.h"
#include "fingerprint/paths.h"
#include "packages/store_ids.h"
#include "preview/linking.h"
#include "preview/needed_index.h"
#include "preview/overlay.h"
#include "preview/tags.h"

namespace abitag::preview {
namespace {

using packages::Package;

// The packages the image replaces: those named, or else those owning a file
// it ships.
llvm::Expected<std::vector<const Package *>> replaced_packages(const packages::OwnerIndex &index,
                                                               const Overlay &overlay,
                                                               const std::vector<std::string> &names) {
  std::vector<const Package *> out;
  for (const std::string &name : names) {
    std::vector<const Package *> named = index.packages_named(name);
    if (named.empty()) // a store id, as the hooks name a package: "dev-libs/foo:0"
      named = packages::packages_for_id(index, name);
    if (named.empty())
      return input_errors({{name, "no package of that name is installed under the root"}});
    out.insert(out.end(), named.begin(), named.end());
  }
  if (!names.empty())
    return out;
  for (const auto &[path, entry] : overlay.entries())
    for (const Package *owner : index.owners(path))
      if (std::find(out.begin(), out.end(), owner) == out.end())
        out.push_back(owner);
  return out;
}

bool exists_in(const std::string &root, const std::string &path, bool *folder = nullptr) {
  struct stat st;
  bool there = lstat_path(root == "/" ? path : root + path, &st) == 0;
  if (folder)
    *folder = there && S_ISDIR(st.st_mode);
  return there;
}

// Takes away from the view the files of PACKAGES the image does not ship.
// A folder stays (other packages' files may be in it, and the merge only
// removes an empty one), even where a list does not say it is one (dpkg's).
void take_away_files(const std::string &root, const packages::OwnerIndex &index,
                     const std::vector<const Package *> &replaced, Overlay &overlay) {
  for (const Package *package : replaced)
    for (std::size_t i = 0; i < package->files.size(); ++i) {
      if (package->files[i].type == packages::EntryType::directory)
        continue;
      std::string path = index.placed_path(*package, i);
      bool folder = false;
      if (exists_in(root, path, &folder) && !folder)
        overlay.take_away(path);
    }
}

// The names ROOT's libraries at the paths the merge changes are loaded by:
// their sonames and file names.
std::set<std::string> changed_library_names(const std::string &root, const std::set<std::string> &changed) {
  std::set<std::string> names;
  for (const std::string &path : changed) {
    auto host = resolve_under_root(root, path);
    if (!host) {
      llvm::consumeError(host.takeError());
      continue;
    }
    if (!audit::is_elf_program_or_library(first_bytes(*host)))
      continue;
    auto facts = audit::read_loader_facts(*host);
    if (!facts) {
      llvm::consumeError(facts.takeError());
      continue;
    }
    if (facts->type != 3 /*ET_DYN*/)
      continue;
    if (!facts->soname.empty())
      names.insert(facts->soname);
    names.insert(path.substr(path.rfind('/') + 1));
  }
  return names;
}

void add_findings(audit::SectionReport &section, std::vector<audit::Finding> findings) {
  std::move(findings.begin(), findings.end(), std::back_inserter(section.findings));
}

// The packages to rebuild, from the dependants' findings alone: the image's
// own are fixed in the image, not by rebuilding what is installed, and a
// stale lock names its package by store id.
void roll_up(PreviewReport &out, packages::InstalledPackages &installed) {
  std::vector<audit::SectionReport> sections = std::move(out.report.sections);
  out.report.sections = {std::move(sections[1])};
  audit::roll_up_by_package(out.report, installed);
  sections[1] = std::move(out.report.sections.front());
  out.report.sections = std::move(sections);
  for (const audit::Finding &finding : out.report.sections.front().findings)
    for (const Package *owner : installed.index().owners(finding.file))
      out.report.owners[finding.file].push_back(owner->id);
}

// The report's sections, what the image replaces and what could not be read of it.
PreviewReport start_report(const std::string &root, const std::string &image,
                           const std::vector<const Package *> &replaced, const Overlay &overlay) {
  PreviewReport out;
  out.image = image;
  out.report.root = root;
  out.report.sections.resize(3);
  out.report.sections[0].name = kImage;
  out.report.sections[1].name = kDependants;
  out.report.sections[2].name = kTags;
  for (const Package *package : replaced)
    out.replaced.push_back(package->id);
  out.taken_away.assign(overlay.taken_away().begin(), overlay.taken_away().end());
  for (const InputError &problem : overlay.problems())
    out.report.sections[0].findings.push_back({audit::Severity::BrokenNow, kImage, "unreadable",
                                               problem.path, "cannot be read: " + problem.reason, {}});
  return out;
}

// Links the image's ELF files in the view; returns the paths the merge
// changes: those taken away and those of ROOT the image replaces.
std::set<std::string> link_image(const std::string &root, const Overlay &overlay, MergeLinker &linker,
                                 PreviewReport &out) {
  std::set<std::string> changed = overlay.taken_away();
  for (const auto &[path, entry] : overlay.entries()) {
    ++out.image_files;
    if (exists_in(root, path))
      changed.insert(path);
    if (entry.link || !audit::is_elf_program_or_library(first_bytes(entry.host)))
      continue;
    ++out.image_elf_files;
    add_findings(out.report.sections[0], linker.link_image_file(entry.host));
  }
  return changed;
}

} // namespace

llvm::Expected<PreviewReport> run_preview(const PreviewOptions &options) {
  auto root = audit::usable_root(options.root);
  if (!root)
    return input_errors({{options.root, to_message(root.takeError())}});
  struct stat st;
  if (stat_path(options.image, &st) == 0 && !S_ISDIR(st.st_mode))
    return input_errors({{options.image, "not a folder (an image is a folder laid out like ROOT)"}});
  auto image = audit::usable_root(options.image);
  if (!image)
    return input_errors({{options.image, to_message(image.takeError())}});
  packages::InstalledPackages installed(*root);
  const packages::OwnerIndex &index = installed.index();
  Overlay overlay = Overlay::lay(*root, *image, index.aliases());
  auto replaced = replaced_packages(index, overlay, options.replaces);
  if (!replaced)
    return replaced.takeError();
  take_away_files(*root, index, *replaced, overlay);

  PreviewReport out = start_report(*root, *image, *replaced, overlay);
  audit::Progress progress(options.progress);
  MergeLinker linker(overlay, installed, progress);
  std::set<std::string> changed = link_image(*root, overlay, linker, out);
  std::set<std::string> names = changed_library_names(*root, changed);
  out.changed_libraries.assign(names.begin(), names.end());
  if (!names.empty()) {
    Dependants found = files_needing(*root, index, names, options.whole_root, progress);
    out.indexed_elf_files = found.indexed;
    for (const std::string &path : found.paths)
      if (!changed.count(path)) { // the merge replaces it: the image's to link
        ++out.dependants;
        add_findings(out.report.sections[1], linker.link_dependant(path));
      }
  }
  if (llvm::Error e = stale_tags(options, overlay, *replaced, installed, out))
    return e;
  roll_up(out, installed);
  return out;
}

} // namespace abitag::preview
