// SPDX-License-Identifier: MIT
// The perl section: what an upgraded or removed perl leaves behind.
//  - XS modules in a folder no installed perl searches (perl-cleaner's
//    case: .../perl5/5.34/auto/... after the upgrade to 5.36): none of them
//    loads, so every package still installing there is broken now (named
//    through the package roll-up), one finding per folder; modules no
//    package owns are leftovers.
//  - XS modules on a perl's @INC that it refuses (`abitag perl --check`'s
//    verdict: the handshake key, the API version, boot_, an import the perl
//    does not export), one finding each.
// Perls are found as `abitag perl --check` finds them
// (perl::installed_perls). The section walks only the perl folders of
// /usr/lib, /usr/lib64, /usr/local/lib and their multiarch folders, not the
// audit's walk, and reads the .so files below auto/ folders there.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "analyzers/perl/perl.h"
#include "audit/section.h"
#include "fingerprint/discover.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/paths.h"
#include "fingerprint/walk.h"

namespace abitag::audit {
namespace {

// The .so files below an auto/ folder under FOLDER: host paths, sorted.
std::vector<std::string> module_files(const std::string &folder) {
  std::vector<std::string> out;
  std::mutex mutex;
  WalkVisitor visitor;
  visitor.file = [&](const WalkedFile &file) {
    std::string path = file.path();
    if (path.size() > 3 && path.compare(path.size() - 3, 3, ".so") == 0 && path.find("/auto/") != std::string::npos) {
      std::lock_guard<std::mutex> lock(mutex);
      out.push_back(std::move(path));
    }
  };
  walk_tree(folder, visitor);
  std::sort(out.begin(), out.end());
  return out;
}

struct Counts {
  std::size_t perls = 0, modules = 0, orphan_folders = 0, refused = 0;
};

class PerlSection final : public AuditSection {
public:
  std::string_view name() const override { return "perl"; }
  std::string_view description() const override {
    return "XS modules in folders no installed perl searches (the packages still installing there), and modules "
           "a perl refuses";
  }

  SectionReport run(AuditContext &context) override {
    SectionReport out;
    std::vector<InputError> errors;
    std::vector<perl::Perl> perls = perl::installed_perls(context.root(), errors);
    for (const InputError &error : errors)
      out.findings.push_back({Severity::Informational, "perl", "unreadable-perl",
                              path_inside_root(context.root(), error.path), error.reason, {}, {}});
    Counts counts;
    for (const perl::Perl &perl : perls)
      counts.perls += perl.problem.empty();
    std::map<std::string, std::vector<std::string>> orphans; // @INC-like folder -> its modules, inside the root
    for (const std::string &folder : perl::perl_folders(context.root())) {
      if (!overlaps(folder, context.walk()))
        continue;
      for (const std::string &host : module_files(folder)) {
        std::string inside = path_inside_root(context.root(), host);
        if (perl::module_package(inside).empty())
          continue; // a library beside a module, loaded by it, not by DynaLoader
        ++counts.modules;
        check_one(context, perls, host, inside, orphans, counts, out);
      }
    }
    for (const auto &[folder, files] : orphans)
      report_orphan_folder(context, folder, files, out);
    counts.orphan_folders = orphans.size();
    summarize(counts, out);
    return out;
  }

private:
  static void check_one(AuditContext &context, const std::vector<perl::Perl> &perls, const std::string &host,
                        const std::string &inside, std::map<std::string, std::vector<std::string>> &orphans,
                        Counts &counts, SectionReport &out) {
    llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(host);
    llvm::Expected<perl::PerlElf> module =
        bytes ? perl::read_perl_elf((*bytes)->getMemBufferRef(), inside)
              : llvm::Expected<perl::PerlElf>(bytes.takeError());
    if (!module) {
      out.findings.push_back({Severity::Informational, "perl", "unreadable-module", inside,
                              to_message(module.takeError()), {}, {}});
      return;
    }
    perl::LoadVerdict verdict = perl::check_module(*module, host, inside, perls, {});
    if (verdict.problem.empty())
      return;
    if (verdict.searching.empty()) {
      orphans[perl::module_inc_folder(inside)].push_back(inside);
      return;
    }
    ++counts.refused;
    out.findings.push_back({Severity::BrokenNow, "perl", "refused-module", inside, verdict.problem,
                            {context.owners().describe(inside)}, {{"package", perl::module_package(inside)}}});
  }

  static void report_orphan_folder(AuditContext &context, const std::string &folder,
                                   const std::vector<std::string> &files, SectionReport &out) {
    std::size_t unowned = 0;
    std::vector<std::string> rebuild = one_file_per_package(context, files, unowned);
    bool packaged = !rebuild.empty();
    std::string version = perl::folder_version(folder + "/");
    std::string reason = "no installed perl searches " + folder + (version.empty() ? "" : " (a folder of perl " + version + ")") +
                         ", so none of its " + std::to_string(files.size()) + " XS modules loads: " +
                         std::to_string(rebuild.size()) + " packages still install there";
    if (unowned)
      reason += ", " + std::to_string(unowned) + " modules no package owns";
    out.findings.push_back({packaged ? Severity::BrokenNow : Severity::Informational, "perl",
                            packaged ? "removed-perl" : "leftover-folder", folder, reason, std::move(rebuild),
                            {{"version", version}, {"modules", files}, {"unowned", unowned}}});
  }

  static void summarize(const Counts &counts, SectionReport &out) {
    out.summary_lines.push_back(std::to_string(counts.perls) + " perls, " + std::to_string(counts.modules) +
                                " XS modules, " + std::to_string(counts.orphan_folders) +
                                " folders no perl searches, " + std::to_string(counts.refused) + " modules refused");
    out.summary = {{"perls", counts.perls},
                   {"modules", counts.modules},
                   {"folders_no_perl_searches", counts.orphan_folders},
                   {"refused_modules", counts.refused}};
  }
};

} // namespace

std::unique_ptr<AuditSection> make_perl_section() { return std::make_unique<PerlSection>(); }

} // namespace abitag::audit
