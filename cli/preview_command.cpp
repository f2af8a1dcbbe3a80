// SPDX-License-Identifier: MIT
// The `preview` subcommand: parses its options, runs preview/, prints the
// report as audit and check print theirs.
#include "cli/preview_command.h"

#include <CLI/CLI.hpp>

#include "audit/progress.h"
#include "cli/report.h"
#include "fingerprint/json_text.h"
#include "fingerprint/output.h"
#include "packages/specs.h"
#include "preview/preview.h"

namespace abitag::cli {
namespace {

class PreviewCommand final : public Command {
public:
  std::string_view name() const override { return "preview"; }
  std::string_view description() const override {
    return "before a merge: what IMAGE (a package's staged files) breaks when merged over ROOT: its own files "
           "linked over ROOT, the installed files that load a library it replaces linked again, the locks on "
           "a tag it changes; exit 1 if anything breaks";
  }

  void add_options(CLI::App &command) override {
    command.add_option("image", options_.image, "the image: a folder laid out like ROOT (Portage's ${D}, "
                                                 "Paludis' ${IMAGE}, a DESTDIR)")
        ->required()
        ->type_name("IMAGE");
    command.add_option("--root", options_.root, "the system IMAGE is merged into")
        ->capture_default_str()
        ->type_name("DIR");
    command
        .add_option("--replaces", options_.replaces,
                    "the installed package IMAGE replaces (a name or store id; repeatable); default: the "
                    "packages owning a file IMAGE ships. Its files IMAGE does not ship are taken away")
        ->type_name("PKG")
        ->allow_extra_args(false);
    command.add_flag("--whole-root", options_.whole_root,
                     "look for dependants among every ELF file under ROOT, not only among the installed "
                     "packages' files (slower: every file's first bytes are read); without a package "
                     "database ROOT is walked in any case");
    command.add_flag("--json", json_, "print the report as one JSON document");
    command.add_flag("-v,--verbose", verbose_, "every rebuild line of each finding");
    std::vector<std::string> formats = packages::spec_format_names();
    formats.insert(formats.begin(), "text");
    command
        .add_option("--format", format_,
                    "text (the report), or only the one command that rebuilds the installed packages that will "
                    "break or whose locks will go stale: cave, emerge, pacman, dnf, apt, or lines (one package a line); nothing when there "
                    "are none; files no package owns are named on stderr")
        ->capture_default_str()
        ->check(CLI::IsMember(formats));
    command.add_option("--db", options_.tag_store, "the tag store, a path inside ROOT")
        ->capture_default_str()
        ->check([](const std::string &path) {
          return path.rfind('/', 0) == 0 ? std::string() : "must be an absolute path inside ROOT";
        });
  }

  llvm::Expected<int> run() override {
    options_.progress = audit::Progress::stderr_is_terminal();
    auto report = preview::run_preview(options_);
    if (!report)
      return report.takeError();
    int code = preview::exit_code(*report);
    if (format_ != "text") {
      std::vector<packages::PackageId> ids = preview::packages_to_rebuild(*report);
      for (const std::string &orphan : report->report.orphans)
        report_note(orphan + ": not owned by any installed package");
      write_stdout(packages::rebuild_command(ids, format_));
    } else if (json_) {
      write_stdout(json_text(preview::render_json(*report), 2) + "\n");
    } else {
      write_stdout(preview::render_text(*report, verbose_));
    }
    return code;
  }

private:
  preview::PreviewOptions options_;
  std::string format_ = "text";
  bool json_ = false;
  bool verbose_ = false;
};

} // namespace

std::unique_ptr<Command> make_preview_command() { return std::make_unique<PreviewCommand>(); }

} // namespace abitag::cli
