// SPDX-License-Identifier: MIT
// The `audit` subcommand: parses its options, runs audit/, prints the report.
#include "cli/audit_command.h"

#include <CLI/CLI.hpp>

#include "audit/audit.h"
#include "audit/masks.h"
#include "audit/progress.h"
#include "cli/report.h"
#include "fingerprint/json_text.h"
#include "fingerprint/output.h"
#include "packages/specs.h"

namespace abitag {
namespace {

class AuditCommand final : public Command {
public:
  std::string_view name() const override { return "audit"; }
  std::string_view description() const override {
    return "find what under ROOT is broken or at risk: C++ ABI census, linkage as ld.so sees it, GHC "
           "databases, SBCL cores, kernel modules, Qt private-API users, recorded tags";
  }

  // One declaration per option, in the order --help lists them: long, and
  // clearer whole than split.
  void add_options(CLI::App &command) override {
    command.add_option("root", options_.root, "the system to audit: / or an image, a chroot")
        ->capture_default_str()
        ->type_name("DIR");
    command.add_flag("--json", json_, "print the report as one JSON document");
    command.add_flag("-v,--verbose", text_.verbose,
                     "list every finding and rebuild line of each group; without it, the text report shows "
                     "a few a group (package or folder) and says how many more there are");
    command
        .add_option("--severity", severity_,
                    "the findings shown, and whose files are packages to rebuild (text, JSON, --format; the "
                    "counts and exit code still count all): broken (broken now), at-risk (and broken now), all")
        ->capture_default_str()
        ->check(CLI::IsMember({"broken", "at-risk", "all"}));
    std::vector<std::string> formats = packages::spec_format_names();
    formats.insert(formats.begin(), "text");
    CLI::Option *format = command.add_option("--format", format_,
                       "text (the report), or only the one command that rebuilds or reinstalls the packages to "
                       "rebuild: cave, emerge, pacman, dnf, apt, or lines (one package a line); nothing when there "
                       "are none (exit 0); files no package owns are named on stderr")
        ->capture_default_str()
        ->check(CLI::IsMember(formats));
    command
        .add_flag("--no-packages", no_packages_,
                  "do not read the package databases: findings name files only, with no packages, orphans "
                  "or rebuild by package (what reading them costs: scripts/bench-packages)")
        ->excludes(format);
    command.add_option("--under", options_.under,
                       "audit only the files and package databases under these paths inside ROOT "
                       "(libraries they load are found anywhere in ROOT); a named file that is neither "
                       "ELF program, library nor SBCL core is informational; default: all of ROOT")
        ->delimiter(',')
        ->allow_extra_args(false);
    command
        .add_option("--exclude", options_.exclude,
                    "hide the findings on files matching this glob (a path inside ROOT; '*' matches '/' too), "
                    "or in a folder matching it; repeatable. The summary counts what each mask hid. More "
                    "masks, and mask-library SONAME, in ROOT's /etc/abitag/audit.conf (abitag(1))")
        ->type_name("GLOB")
        ->allow_extra_args(false)
        ->check([](const std::string &glob) { return audit::exclude_pattern_problem(glob); });
    command.add_flag("-x,--one-file-system", options_.one_file_system,
                     "do not enter folders on another file system than ROOT (or each --under path), as "
                     "find -xdev, du -x and rsync -x; the report names the mount points passed over. "
                     "ROOT's /proc, /sys, /dev (pseudo file systems), /run, /tmp "
                     "(scratch space) and /lost+found are passed over in any case");
    command.add_option("--db", options_.tag_store,
                       "the tag store of the tags section, a path inside ROOT (ABITAG_DB is not read: "
                       "it names this machine's store, not ROOT's)")
        ->capture_default_str()
        ->check([](const std::string &path) {
          return path.rfind('/', 0) == 0 ? std::string() : "must be an absolute path inside ROOT";
        });
    command.add_option("--memory", memory_mib_,
                       "MiB of symbol tables kept from the scan for the linkage check; past it, those "
                       "the fewest checks still need are dropped and read again when asked for (slower, "
                       "same report)")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 40));
    std::vector<std::string> names;
    std::string help = "run only these sections (comma-separated):";
    for (const auto &[name, description] : audit::section_names()) {
      names.push_back(name);
      help += "\n  " + name + ": " + description;
    }
    command.add_option("--only", options_.only, help)
        ->delimiter(',')
        ->allow_extra_args(false) // "--only cxxabi ROOT": ROOT is not a section
        ->check(CLI::IsMember(names));
  }

  llvm::Expected<int> run() override {
    options_.progress = audit::Progress::stderr_is_terminal();
    options_.key_budget = memory_mib_ << 20;
    options_.leave_to_exit = true;
    options_.package_names = !no_packages_;
    text_.lowest = severity_ == "broken"    ? audit::Severity::BrokenNow
                   : severity_ == "at-risk" ? audit::Severity::AtRisk
                                            : audit::Severity::Informational;
    options_.lowest = text_.lowest;
    auto report = audit::run_audit(options_);
    if (!report) {
      llvm::Error error = report.takeError();
      if (error.isA<ExitError>()) // a bad line of audit.conf, named by file and line
        return error;
      return input_errors({{options_.root, to_message(std::move(error))}});
    }
    // The report, and the JSON made of it, are left for the process's exit
    // to reclaim, like what the audit read (leave_to_exit): abitag ends right
    // after, so freeing them one allocation at a time is wasted work.
    static audit::AuditReport *left_to_exit = nullptr;
    static nlohmann::ordered_json *json_left_to_exit = nullptr;
    left_to_exit = new audit::AuditReport(std::move(*report));
    int code = audit::exit_code(*left_to_exit);
    if (format_ != "text")
      return print_rebuild(*left_to_exit);
    if (json_) {
      json_left_to_exit = new nlohmann::ordered_json(audit::render_json(std::move(*left_to_exit), text_.lowest));
      write_stdout(json_text(*json_left_to_exit, 2) + "\n");
    } else {
      write_stdout(audit::render_text(*left_to_exit, text_));
    }
    return code;
  }

private:
  // Only the packages to rebuild, in the manager's syntax; exit 1 when
  // there is something to rebuild, or a broken file no package owns.
  int print_rebuild(const audit::AuditReport &report) const {
    std::vector<packages::PackageId> ids;
    for (const audit::PackageToRebuild &package : report.packages)
      ids.push_back(package.id);
    for (const std::string &orphan : report.orphans)
      cli::report_note(orphan + ": not owned by any installed package");
    write_stdout(packages::rebuild_command(ids, format_));
    return ids.empty() && report.orphans.empty() ? kExitOk : kExitFindings;
  }

  audit::AuditOptions options_;
  audit::TextOptions text_;
  std::string severity_ = "all";
  std::string format_ = "text";
  bool json_ = false;
  bool no_packages_ = false;
  std::size_t memory_mib_ = audit::kDefaultKeyBudget >> 20;
};

} // namespace

std::unique_ptr<Command> make_audit_command() { return std::make_unique<AuditCommand>(); }

} // namespace abitag
