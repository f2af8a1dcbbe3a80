// SPDX-License-Identifier: MIT
#include "audit/audit.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>

#include "audit/masks.h"
#include "audit/package_rollup.h"
#include "audit/root_files.h"
#include "audit/section.h"
#include "fingerprint/discover.h"
#include "fingerprint/errors.h"

namespace abitag::audit {

std::vector<std::pair<std::string, std::string>> section_names() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto &section : all_sections())
    out.emplace_back(section->name(), section->description());
  return out;
}

namespace {

// What was left to the process's exit, still reachable from here to a leak
// checker (volatile: a store never read would be optimized away).
AuditContext *volatile left_to_exit = nullptr;

} // namespace

llvm::Expected<std::string> usable_root(const std::string &root) {
  char resolved[PATH_MAX];
  if (!::realpath(root.c_str(), resolved))
    return make_error(std::strerror(errno));
  struct stat st;
  if (::stat(resolved, &st) != 0)
    return make_error(std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return make_error("not a directory");
  DIR *dir = ::opendir(resolved);
  if (!dir)
    return make_error(std::strerror(errno));
  ::closedir(dir);
  return std::string(resolved);
}

llvm::Expected<AuditReport> run_audit(const AuditOptions &options) {
  auto root = usable_root(options.root);
  if (!root)
    return root.takeError();
  std::vector<std::string> walk;
  for (const std::string &path : options.under) {
    auto host = resolve_under_root(*root, path);
    if (!host)
      return make_error(path + ": " + to_message(host.takeError()));
    walk.push_back(*host);
  }
  auto masks = read_masks(*root, options.exclude);
  if (!masks)
    return masks.takeError();
  std::vector<std::unique_ptr<AuditSection>> sections;
  for (auto &section : all_sections()) {
    const std::string name(section->name());
    if (options.only.empty() || std::find(options.only.begin(), options.only.end(), name) != options.only.end())
      sections.push_back(std::move(section));
  }
  bool census = std::any_of(sections.begin(), sections.end(), [](const auto &s) { return s->uses_census(); });
  Progress progress(options.progress);
  auto context = std::make_unique<AuditContext>(*root, std::move(walk), census, progress, options.tag_store,
                                                options.key_budget, options.one_file_system, options.package_names);
  AuditReport report;
  report.root = *root;
  for (const auto &section : sections) {
    report.sections.push_back(section->run(*context));
    report.sections.back().name = section->name();
  }
  report.files_read = context->elf_scan_done() ? context->elf_scan().entries().size() : 0;
  if (context->walked()) // no section walked ROOT (--only tags): nothing to say of a walk
    report.walk = walk_report(context->files(), *root, options.one_file_system);
  apply_masks(report, std::move(*masks)); // before the roll-up: what is hidden is not to rebuild
  roll_up_by_package(report, context->owners(), options.lowest);
  if (options.leave_to_exit) {
    context->owners().wait_ahead(); // no thread of the audit outlives this call
    left_to_exit = context.release();
  }
  return report;
}

} // namespace abitag::audit
