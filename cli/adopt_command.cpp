// SPDX-License-Identifier: MIT
// The `adopt` subcommand: parses its options, runs adopt/ in one store
// transaction, prints what was (or would be) recorded.
#include "cli/adopt_command.h"

#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "adopt/adopt.h"
#include "audit/progress.h"
#include "cli/tagger_commands.h"
#include "fingerprint/json_text.h"
#include "fingerprint/output.h"

namespace abitag::cli {
namespace {

class AdoptCommand final : public Command {
public:
  std::string_view name() const override { return "adopt"; }
  std::string_view description() const override {
    return "tag and lock installed packages from their files and the package database (every package, or "
           "those named)";
  }

  void add_options(CLI::App &command) override {
    command.add_option("root", options_.root, "the system whose packages are adopted")
        ->capture_default_str()
        ->type_name("DIR");
    command
        .add_option("--package", options_.packages,
                    "adopt only these packages (and the providers of their libraries the store does not know): "
                    "store ids or names as the package manager gives them; their locks are recorded anew")
        ->type_name("ID")
        ->allow_extra_args(false);
    command.add_option("--db", db_,
                       "the tag store (default: $ABITAG_DB, else " + std::string(tagger::kDefaultStorePath) +
                           "; under ROOT when ROOT is not /)")
        ->type_name("PATH");
    command.add_flag("--dry-run", dry_run_, "print what would be recorded; the store is left as it is");
    command.add_flag("--json", json_,
                     "print a summary of what was recorded, and of the files left out, as one JSON document");
    command.add_flag("--verbose", verbose_,
                     "say on stderr which files an analyzer reads but makes no tag of, and why (GHC's rts.conf: "
                     "no ABI hash)");
  }

  llvm::Expected<int> run() override {
    llvm::Expected<int> code = adopt();
    if (!code)
      return machine_failures(code.takeError());
    return code;
  }

private:
  std::string store_path() const {
    if (!db_.empty())
      return db_;
    if (options_.root != "/")
      return options_.root + tagger::kDefaultStorePath;
    const char *from_environment = std::getenv("ABITAG_DB");
    return from_environment && *from_environment ? from_environment : tagger::kDefaultStorePath;
  }

  // All of a run in one transaction: a read one for --dry-run.
  llvm::Expected<int> adopt() {
    while (options_.root.size() > 1 && options_.root.back() == '/')
      options_.root.pop_back();
    options_.progress = audit::Progress::stderr_is_terminal();
    auto store = dry_run_ ? tagger::Store::open_for_reading(store_path(), tagger::IfMissing::ReadEmpty)
                          : tagger::Store::open_for_writing(store_path());
    if (!store)
      return store.takeError();
    if (llvm::Error e = dry_run_ ? (*store)->begin_read() : (*store)->begin_write())
      return e;
    llvm::Expected<adopt::Changes> changes = plan_and_record(**store);
    if (!changes) {
      (*store)->rollback();
      return changes.takeError();
    }
    if (dry_run_)
      (*store)->rollback();
    else if (llvm::Error e = (*store)->commit())
      return e;
    if (json_)
      write_stdout(json_text(adopt::to_json(plan_, *changes, dry_run_), 2) + "\n");
    else if (dry_run_)
      write_stdout(adopt::to_text(*changes));
    else
      write_stdout(adopt::dropped_text(*changes));
    if (verbose_)
      std::fputs(adopt::left_out_text(plan_).c_str(), stderr);
    if (llvm::Error e = input_errors(plan_.problems))
      return e;
    return kExitOk;
  }

  llvm::Expected<adopt::Changes> plan_and_record(tagger::Store &store) {
    llvm::Expected<adopt::Plan> plan = adopt::plan(options_, store);
    if (!plan)
      return plan.takeError();
    plan_ = std::move(*plan);
    llvm::Expected<adopt::Changes> changes = adopt::changes(plan_, store);
    if (!changes || dry_run_)
      return changes;
    if (llvm::Error e = adopt::record(*changes, store))
      return e;
    return changes;
  }

  adopt::AdoptOptions options_;
  adopt::Plan plan_;
  std::string db_;
  bool dry_run_ = false, json_ = false, verbose_ = false;
};

} // namespace

std::unique_ptr<Command> make_adopt_command() { return std::make_unique<AdoptCommand>(); }

} // namespace abitag::cli
