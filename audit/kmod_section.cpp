// SPDX-License-Identifier: MIT
// The kmod section: every kernel module under ROOT/lib/modules/RELEASE (and
// ROOT/usr/lib/modules/RELEASE), in-tree or not (updates/, extra/, what dkms
// installs), checked as `abitag kmod --check --root ROOT` checks it, against
// the kernel of its own folder: that kernel's image and Module.symvers, and
// the exports of every module of the folder (modprobe loads a module's
// dependencies first). A module the kernel would refuse is broken now, in
// the kernel's own words.
//
// A folder with modules but no kernel (no /boot/vmlinuz-RELEASE and no
// Module.symvers in RELEASE/build) cannot be decided, since vmlinux's
// exports are unknown; its modules load into no installed kernel: the
// kernel was removed and they stayed (a module package built for it, what
// dkms built), or the kernel is the next one and its image is not there yet.
// That is at risk, once per folder, naming the modules outside kernel/
// (those of other packages) to rebuild for an installed kernel.
//
// The section reads nothing from the audit's walk: a root without
// lib/modules costs it two failed look-ups.
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <set>
#include <sys/stat.h>

#include "analyzers/kmod/kmod.h"
#include "audit/section.h"
#include "fingerprint/discover.h"
#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"

namespace abitag::audit {
namespace {

const char *const kModuleFolders[] = {"/lib/modules", "/usr/lib/modules"};

struct ReleaseFolders {
  std::vector<std::string> trees; // host paths of ROOT/lib/modules/RELEASE, sorted, once each
  std::vector<InputError> unreadable;
};

// The release folders, once each: on a merged /usr, /lib/modules is
// /usr/lib/modules, and both resolve to the same host path.
ReleaseFolders release_folders(const std::string &root) {
  ReleaseFolders out;
  std::set<std::string> trees;
  for (const char *base : kModuleFolders) {
    llvm::Expected<std::string> host = resolve_under_root(root, base);
    if (!host) {
      llvm::consumeError(host.takeError()); // no such folder: nothing to audit
      continue;
    }
    DIR *dir = ::opendir(host->c_str());
    if (!dir) {
      if (errno != ENOENT && errno != ENOTDIR)
        out.unreadable.push_back({*host, std::strerror(errno)});
      continue;
    }
    while (const dirent *entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      struct stat st;
      std::string path = join_path(*host, name);
      if (name != "." && name != ".." && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        trees.insert(path);
    }
    ::closedir(dir);
  }
  out.trees.assign(trees.begin(), trees.end());
  return out;
}

// Whether the audit covers PATH (a host path): all of ROOT, or --under's paths.
bool audited(const std::string &path, const std::vector<std::string> &walk) {
  if (walk.empty())
    return true;
  for (const std::string &under : walk)
    if (is_under(path, under))
      return true;
  return false;
}

// The first refusal in the kernel's words ("NAME: ..."; two lines joined by
// "; " where the kernel prints two), and how many more follow.
std::string refusal_text(const kmod::CheckResult &result) {
  std::string text;
  for (const std::string &line : result.refusals.front().lines)
    text += (text.empty() ? "" : "; ") + line;
  if (result.refusals.size() > 1)
    text += " (and " + std::to_string(result.refusals.size() - 1) + " more refusals)";
  return text;
}

nlohmann::ordered_json refusals_json(const kmod::CheckResult &result) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const kmod::Refusal &refusal : result.refusals)
    out.push_back({{"kind", kmod::refusal_kind_name(refusal.kind)}, {"symbol", refusal.symbol},
                   {"lines", refusal.lines}});
  return out;
}

// What the section counted over all folders.
struct Counts {
  std::size_t kernels = 0, modules = 0, out_of_tree = 0, refused = 0;
  std::vector<std::string> without_kernel; // releases
};

class KmodSection final : public AuditSection {
public:
  std::string_view name() const override { return "kmod"; }
  std::string_view description() const override {
    return "kernel modules under ROOT/lib/modules/RELEASE checked as abitag kmod --check, against the kernel of "
           "their folder";
  }

  SectionReport run(AuditContext &context) override {
    SectionReport out;
    ReleaseFolders folders = release_folders(context.root());
    for (const InputError &error : folders.unreadable)
      out.findings.push_back({Severity::Informational, "kmod", "unreadable-folder",
                              path_inside_root(context.root(), error.path),
                              "cannot list the kernels' module folders: " + error.reason, {},
                              nlohmann::ordered_json::object()});
    Counts counts;
    for (const std::string &tree : folders.trees)
      if (overlaps(tree, context.walk()))
        audit_tree(context, tree, counts, out);
    summarize(counts, out);
    return out;
  }

private:
  void audit_tree(AuditContext &context, const std::string &tree, Counts &counts, SectionReport &out) {
    const std::string &root = context.root();
    std::string folder = path_inside_root(root, tree);
    std::string release = folder.substr(folder.rfind('/') + 1);
    llvm::Expected<kmod::InstalledTree> read = kmod::load_installed_tree(tree, root);
    if (!read) {
      out.findings.push_back({Severity::AtRisk, "kmod", "unreadable-kernel", folder,
                              "cannot read kernel " + release + ": " + inside_text(root, to_message(read.takeError())),
                              {}, {{"release", release}}});
      return;
    }
    std::vector<const kmod::Module *> modules;
    for (const kmod::Module &module : read->modules)
      if (audited(module.path, context.walk()))
        modules.push_back(&module);
    for (const auto &[path, why] : read->unreadable)
      if (audited(path, context.walk()))
        out.findings.push_back({Severity::AtRisk, "kmod", "unreadable-module", path_inside_root(root, path),
                                "cannot read the module: " + why, {context.owners().describe(path_inside_root(root, path))},
                                {{"release", release}}});
    if (modules.empty())
      return; // what a removed kernel leaves behind (modules.dep...) loads nothing
    counts.modules += modules.size();
    for (const kmod::Module *module : modules)
      counts.out_of_tree += !module->in_tree();
    if (!read->kernel.vmlinux_exports_known()) {
      report_no_kernel(context, folder, release, modules, out);
      counts.without_kernel.push_back(release);
      return;
    }
    ++counts.kernels;
    counts.refused += check_modules(context, read->kernel, modules, out);
  }

  // Each module checked on all cores; the findings in the tree's order.
  std::size_t check_modules(AuditContext &context, const kmod::Kernel &kernel,
                            const std::vector<const kmod::Module *> &modules, SectionReport &out) {
    std::vector<kmod::CheckResult> results(modules.size());
    parallel_for(modules.size(), [&](std::size_t i) { results[i] = kmod::check_module(*modules[i], kernel); });
    std::size_t refused = 0;
    for (std::size_t i = 0; i < modules.size(); ++i) {
      std::string file = path_inside_root(context.root(), modules[i]->path);
      for (const std::string &note : results[i].notes)
        out.findings.push_back({Severity::Informational, "kmod", "note", file, note, {},
                                {{"release", kernel.release}, {"module", modules[i]->name}}});
      if (results[i].refusals.empty())
        continue;
      ++refused;
      out.findings.push_back({Severity::BrokenNow, "kmod", kmod::refusal_kind_name(results[i].refusals.front().kind),
                              file, refusal_text(results[i]), {context.owners().describe(file)},
                              {{"release", kernel.release},
                               {"module", modules[i]->name},
                               {"in_tree", modules[i]->in_tree()},
                               {"refusals", refusals_json(results[i])}}});
    }
    return refused;
  }

  void report_no_kernel(AuditContext &context, const std::string &folder, const std::string &release,
                        const std::vector<const kmod::Module *> &modules, SectionReport &out) {
    std::vector<std::string> rebuild;
    std::size_t outside = 0;
    for (const kmod::Module *module : modules) {
      std::string file = path_inside_root(context.root(), module->path);
      if (is_under(file, folder + "/kernel"))
        continue;
      ++outside;
      rebuild.push_back(context.owners().describe(file));
    }
    out.findings.push_back(
        {Severity::AtRisk, "kmod", "no-kernel", folder,
         "no kernel " + release + " is installed (no /boot/vmlinuz-" + release + ", no Module.symvers in " + folder +
             "/build): its " + std::to_string(modules.size()) + " modules (" + std::to_string(outside) +
             " outside kernel/) load into no installed kernel and cannot be checked",
         std::move(rebuild), {{"release", release}, {"modules", modules.size()}, {"outside_kernel", outside}}});
  }

  // Errors name host paths; the report names paths inside ROOT.
  static std::string inside_text(const std::string &root, std::string text) {
    if (root == "/")
      return text;
    for (std::size_t at = text.find(root + "/"); at != std::string::npos; at = text.find(root + "/", at))
      text.erase(at, root.size());
    return text;
  }

  static void summarize(const Counts &counts, SectionReport &out) {
    std::string line = std::to_string(counts.kernels) + " kernels, " + std::to_string(counts.modules) + " modules (" +
                       std::to_string(counts.out_of_tree) + " out of tree), " + std::to_string(counts.refused) +
                       " the kernel would refuse";
    if (!counts.without_kernel.empty()) {
      line += "; no kernel for:";
      for (const std::string &release : counts.without_kernel)
        line += " " + release;
    }
    out.summary_lines.push_back(line);
    out.summary = {{"kernels", counts.kernels},
                   {"modules", counts.modules},
                   {"out_of_tree", counts.out_of_tree},
                   {"refused", counts.refused},
                   {"without_kernel", counts.without_kernel}};
  }
};

} // namespace

std::unique_ptr<AuditSection> make_kmod_section() { return std::make_unique<KmodSection>(); }

} // namespace abitag::audit
