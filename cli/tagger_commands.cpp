// SPDX-License-Identifier: MIT
#include "cli/tagger_commands.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <sstream>

#include <CLI/CLI.hpp>

#include "analyzers/inputs/inputs.h"
#include "adopt/locks.h"
#include "analyzers/registry.h"
#include "cli/analyzer_command.h"
#include "cli/package_commands.h"
#include "cli/report.h"
#include "fingerprint/json_text.h"
#include "fingerprint/output.h"
#include "fingerprint/row_field.h"
#include "packages/specs.h"
#include "packages/store_ids.h"
#include "tagger/analyzer_arguments.h"
#include "tagger/check.h"
#include "tagger/exchange.h"
#include "tagger/names.h"
#include "tagger/plan.h"
#include "tagger/store.h"

namespace abitag::cli {
namespace {

using tagger::Store;

// What a store command is given; each command has its own.
struct StoreArguments {
  CLI::App *command = nullptr; // as parsed: tag's words after ANALYZER, whether lock got a VALUE
  std::string db;              // --db, else ABITAG_DB, else the default
  std::string package, dependency, key, value, analyzer, format = "text", file = "-";
  std::vector<std::string> packages;
  std::string root = "/", package_manager; // check: the databases that say what is installed, with versions and slots
  bool json = false, replace = false, if_known = false;
  bool if_exists = false; // readers: no store reads as an empty one
};

llvm::Error invalid_arguments(std::initializer_list<std::pair<const char *, std::string>> words) {
  for (const auto &[what, word] : words)
    if (std::optional<std::string> why = tagger::invalid_word(what, word))
      return usage_error(*why);
  return llvm::Error::success();
}

llvm::Error invalid_value(const std::string &value) {
  if (std::optional<std::string> why = tagger::invalid_value(value))
    return usage_error(*why);
  return llvm::Error::success();
}

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string timestamp(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// Runs WORK in one write transaction: all of it lands or none of it.
llvm::Error write(const std::string &db, const std::function<llvm::Error(Store &)> &work) {
  llvm::Expected<std::unique_ptr<Store>> store = Store::open_for_writing(db);
  if (!store)
    return store.takeError();
  if (llvm::Error e = (*store)->begin_write())
    return e;
  if (llvm::Error e = work(**store)) {
    (*store)->rollback();
    return e;
  }
  return (*store)->commit();
}

// Runs WORK on one consistent snapshot of the store; WORK returns the exit code.
llvm::Expected<int> read(const StoreArguments &o, const std::function<llvm::Expected<int>(Store &)> &work) {
  llvm::Expected<std::unique_ptr<Store>> store =
      Store::open_for_reading(o.db, o.if_exists ? tagger::IfMissing::ReadEmpty : tagger::IfMissing::Fail);
  if (!store)
    return store.takeError();
  if (llvm::Error e = (*store)->begin_read())
    return e;
  llvm::Expected<int> code = work(**store);
  if (!code)
    return code.takeError();
  (*store)->rollback(); // nothing to keep: ends the read transaction
  return *code;
}

llvm::Error not_in_store(const std::string &package, const Store &store) {
  return make_error(package + ": not in the store " + store.path());
}

llvm::Expected<StoreTags> read_store_tags(const std::string &db, const std::string &package) {
  llvm::Expected<std::unique_ptr<Store>> store = Store::open_for_reading(db);
  if (!store)
    return store.takeError();
  if (llvm::Error e = (*store)->begin_read())
    return e;
  llvm::Expected<std::vector<tagger::Tag>> tags = (*store)->tags(package);
  (*store)->rollback();
  if (!tags)
    return tags.takeError();
  StoreTags out;
  for (tagger::Tag &tag : *tags)
    out.emplace_back(std::move(tag.key), std::move(tag.value));
  return out;
}

llvm::Expected<int> run_set(StoreArguments &o) {
  if (llvm::Error e = invalid_arguments({{"a package id", o.package}, {"a key", o.key}}))
    return e;
  if (llvm::Error e = invalid_value(o.value))
    return e;
  if (llvm::Error e = write(o.db, [&](Store &store) {
        return store.set_tag({o.package, o.key, o.value, "manual", now(), std::nullopt});
      }))
    return e;
  return kExitOk;
}

llvm::Expected<int> run_tag(StoreArguments &o) {
  if (llvm::Error e = invalid_arguments({{"a package id", o.package}}))
    return e;
  std::unique_ptr<Analyzer> analyzer = builtin_registry().create(o.analyzer);
  if (!analyzer)
    return usage_error("no analyzer named '" + o.analyzer + "' ('abitag analyzers' lists them)");
  // Check the store before a possibly long analysis, so a bad store fails
  // fast; it is created, and the write lock taken, only once the value is
  // known, so an analysis that fails leaves no new store behind.
  if (llvm::Error e = Store::check_writable(o.db))
    return e;
  // The rest of the command line is the analyzer's, exactly as after
  // `abitag ANALYZER` (e.g. `abitag tag PKG ghc --tag IMAGE`).
  AnalysisInputs inputs;
  llvm::Expected<tagger::TagArguments> recorded =
      tagger::parse_analyzer_arguments(*analyzer, o.command->remaining(), inputs);
  if (!recorded)
    return usage_error(to_message(recorded.takeError()));
  inputs.store_tags = store_tags_reader(o.db);
  Analysis analysis = analyzer->analyze(inputs);
  if (llvm::Error e = analysis_error(analysis))
    return e;
  // No value (a --field the package lacks) is never recorded: exit 3, the
  // store untouched.
  if (auto why = tagger::invalid_value(analysis.value))
    return make_error(o.analyzer + ": " + *why + "; nothing recorded");
  if (llvm::Error e = write(o.db, [&](Store &s) {
        return s.set_tag({o.package, std::string(analyzer->name()), analysis.value, std::string(analyzer->name()),
                          now(), *recorded});
      }))
    return e;
  write_stdout(analysis.value + "\n");
  return kExitOk;
}

llvm::Expected<int> run_lock(StoreArguments &o) {
  if (llvm::Error e = invalid_arguments({{"a package id", o.package}, {"a dependency", o.dependency}, {"a key", o.key}}))
    return e;
  bool value_given = o.command->get_option("value")->count() > 0;
  if (value_given)
    if (llvm::Error e = invalid_value(o.value))
      return e;
  if (llvm::Error e = write(o.db, [&](Store &store) -> llvm::Error {
        std::string locked = o.value;
        if (!value_given) {
          llvm::Expected<std::optional<std::string>> current = store.tag_value(o.dependency, o.key);
          if (!current)
            return current.takeError();
          if (!*current)
            return make_error(o.dependency + ": has no tag '" + o.key + "' in " + store.path() +
                              " (give the value to lock)");
          locked = **current;
        }
        return store.set_lock({o.package, o.dependency, o.key, locked, now()});
      }))
    return e;
  return kExitOk;
}

std::string snapshot_text(const tagger::Snapshot &snapshot) {
  std::string out, current;
  auto heading = [&](const std::string &package) {
    if (package != current)
      out += package + "\n";
    current = package;
  };
  // Both lists are sorted by package; print each package's tags, then its locks.
  std::size_t t = 0, l = 0;
  while (t < snapshot.tags.size() || l < snapshot.locks.size()) {
    bool tag_next = l == snapshot.locks.size() ||
                    (t < snapshot.tags.size() && snapshot.tags[t].package <= snapshot.locks[l].package);
    if (tag_next) {
      const tagger::Tag &tag = snapshot.tags[t++];
      heading(tag.package);
      out += "  tag  " + tag.key + "=" + tag.value + " (" + tag.source + ", " + timestamp(tag.time) + ")\n";
    } else {
      const tagger::Lock &lock = snapshot.locks[l++];
      heading(lock.package);
      out += "  lock " + lock.dependency + " " + lock.key + "=" + lock.value + " (" + timestamp(lock.time) + ")\n";
    }
  }
  return out;
}

llvm::Expected<int> run_show(StoreArguments &o) {
  return read(o, [&](Store &store) -> llvm::Expected<int> {
    std::optional<std::string> only;
    if (!o.package.empty())
      only = o.package;
    llvm::Expected<tagger::Snapshot> snapshot = tagger::read_snapshot(store, only);
    if (!snapshot)
      return snapshot.takeError();
    if (only && snapshot->tags.empty() && snapshot->locks.empty())
      return not_in_store(o.package, store);
    if (o.json)
      write_stdout(json_text(tagger::to_json(*snapshot), 2) + "\n");
    else
      write_stdout(snapshot_text(*snapshot));
    return kExitOk;
  });
}

llvm::Expected<int> run_forget(StoreArguments &o) {
  if (llvm::Error e = invalid_arguments({{"a package id", o.package}}))
    return e;
  if (llvm::Error e = write(o.db, [&](Store &store) -> llvm::Error {
        llvm::Expected<bool> removed = store.forget(o.package);
        if (!removed)
          return removed.takeError();
        if (!*removed && !o.if_known)
          return not_in_store(o.package, store); // nothing was removed: the rollback changes nothing
        return llvm::Error::success();
      }))
    return e;
  return kExitOk;
}

llvm::Expected<int> run_export(StoreArguments &o) {
  return read(o, [&](Store &store) -> llvm::Expected<int> {
    // A backup of a damaged store must fail loudly, also where the damage
    // sits in pages the export itself does not read (the indexes).
    if (llvm::Error e = store.verify())
      return e;
    llvm::Expected<tagger::Snapshot> snapshot = tagger::read_snapshot(store);
    if (!snapshot)
      return snapshot.takeError();
    write_stdout(json_text(tagger::to_json(*snapshot), 2) + "\n");
    return kExitOk;
  });
}

llvm::Expected<int> run_import(StoreArguments &o) {
  std::string name = o.file == "-" ? "(stdin)" : o.file;
  std::string text;
  if (o.file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(o.file, std::ios::binary);
    if (!in)
      return make_error(name + ": " + std::strerror(errno));
    std::ostringstream content;
    content << in.rdbuf();
    text = content.str();
  }
  llvm::Expected<tagger::Snapshot> snapshot = tagger::parse_snapshot(text);
  if (!snapshot)
    return make_error(name + ": " + to_message(snapshot.takeError()));
  if (llvm::Error e = write(o.db, [&](Store &store) { return tagger::write_snapshot(store, *snapshot, o.replace); }))
    return e;
  return kExitOk;
}

std::string cycle_text(const std::vector<std::string> &cycle) {
  std::string members;
  for (const std::string &package : cycle)
    members += " " + package;
  return "cycle:" + members;
}

// The rebuild order as text, after the findings of check or plan.
std::string rebuild_text(const tagger::RebuildOrder &rebuild) {
  std::string out;
  if (!rebuild.order.empty())
    out += "rebuild, dependencies first:\n";
  for (const std::string &package : rebuild.order)
    out += "  " + package + "\n";
  for (const auto &cycle : rebuild.cycles)
    out += cycle_text(cycle) + "\n";
  return out;
}

// The check as text: the stale locks, then the rebuild order.
std::string check_text(const tagger::CheckReport &report) {
  std::string out;
  if (!report.clean())
    out += "stale locks:\n";
  for (const tagger::StaleLock &stale : report.stale)
    out += "  " + tagger::describe(stale) + "\n";
  for (const tagger::UninstalledLock &uninstalled : report.uninstalled)
    out += "  " + tagger::describe(uninstalled) + "\n";
  return out + rebuild_text(report.rebuild);
}

// For a package manager: stdout carries only the rebuild (one package a
// line, or a cave command); the reasons went to stderr before.
// Versions and slots come from INDEX, the package databases, for the store
// ids that name an installed package (packages::packages_for_id).
std::string rebuild_for_manager(const tagger::RebuildOrder &rebuild, const std::string &format,
                                const packages::OwnerIndex &index) {
  for (const auto &cycle : rebuild.cycles)
    report_note(cycle_text(cycle));
  std::string out;
  if (format == "lines") {
    for (const std::string &package : rebuild.order)
      out += row_field(package) + "\n";
    return out;
  }
  std::vector<std::string> specs;
  for (const std::string &package : rebuild.order) {
    std::vector<const packages::Package *> installed = packages::packages_for_id(index, package);
    for (const packages::Package *each : installed)
      specs.push_back(packages::package_spec(each->id, format));
    // A package the databases do not list: its store id as it is (cave:
    // =ID when the id carries a version, tagger/names.h).
    if (installed.empty())
      specs.push_back(format == "cave" ? tagger::cave_spec(package) : package);
  }
  return packages::rebuild_command(specs, format);
}

std::string check_rebuild(const tagger::CheckReport &report, const std::string &format,
                          const packages::OwnerIndex &index) {
  for (const tagger::StaleLock &stale : report.stale)
    report_note("stale: " + tagger::describe(stale));
  for (const tagger::UninstalledLock &uninstalled : report.uninstalled)
    report_note("stale: " + tagger::describe(uninstalled));
  return rebuild_for_manager(report.rebuild, format, index);
}

// The managers under the root whose databases could list a store id and do
// not (packages/store_ids.h states the rule).
tagger::NotInstalledIn not_installed_in(const packages::OwnerIndex &index) {
  return [&index](const std::string &package) {
    std::vector<std::string> managers;
    packages::Installation installation = packages::installation(index, package);
    if (installation.not_installed())
      for (packages::Manager manager : installation.judged_by)
        managers.emplace_back(packages::manager_name(manager));
    return managers;
  };
}

llvm::Expected<int> run_check(StoreArguments &o) {
  return read(o, [&](Store &store) -> llvm::Expected<int> {
    // The databases say which packages are still installed and, for a
    // manager's format, their versions and slots; none under the root
    // leaves every store id taken as installed and as it is.
    llvm::Expected<packages::OwnerIndex> index = read_package_index(o.root, o.package_manager, true);
    if (!index)
      return index.takeError();
    report_damage(*index);
    llvm::Expected<tagger::CheckReport> report = tagger::check(store, o.packages, not_installed_in(*index));
    if (!report)
      return report.takeError();
    if (o.json)
      write_stdout(json_text(tagger::to_json(*report), 2) + "\n");
    else if (o.format == "text")
      write_stdout(check_text(*report));
    else
      write_stdout(check_rebuild(*report, o.format, *index));
    return report->clean() ? kExitOk : kExitFindings;
  });
}

// PKG or PKG=FINGERPRINT, the fingerprint one the inputs analyzer makes.
llvm::Expected<std::vector<tagger::PlannedRebuild>> planned_rebuilds(const std::vector<std::string> &words) {
  std::vector<tagger::PlannedRebuild> out;
  for (const std::string &word : words) {
    std::size_t equals = word.rfind('=');
    tagger::PlannedRebuild planned{word.substr(0, equals), std::nullopt};
    if (equals != std::string::npos) {
      planned.fingerprint = word.substr(equals + 1);
      if (!inputs::is_fingerprint(*planned.fingerprint))
        return usage_error(word + ": '" + *planned.fingerprint + "' is not a fingerprint of `abitag inputs` (" +
                           std::string(inputs::kFingerprintPrefix) + " and 64 hex digits)");
    }
    if (llvm::Error e = invalid_arguments({{"a package id", planned.package}}))
      return e;
    out.push_back(std::move(planned));
  }
  return out;
}

// A tag's analyzer's declaration, with the options it was recorded with. A
// manual tag is set by the package's recipe (extag), an input of its build;
// adopt's sonames are the libraries' DT_SONAMEs, which their sources and
// build system set; a tag of an analyzer this abitag lacks may change on any
// rebuild.
RebuildChange declaration_of(const tagger::Tag &tag) {
  if (tag.source == "manual" || tag.source == adopt::kSonamesSource)
    return RebuildChange::WithInputs;
  std::unique_ptr<Analyzer> analyzer = builtin_registry().create(tag.source);
  if (!analyzer)
    return RebuildChange::Always;
  if (tag.arguments) {
    std::vector<std::string> args = tag.arguments->options;
    args.insert(args.end(), tag.arguments->paths.begin(), tag.arguments->paths.end());
    AnalysisInputs ignored;
    llvm::Expected<tagger::TagArguments> parsed = tagger::parse_analyzer_arguments(*analyzer, args, ignored);
    if (!parsed) { // options of another abitag version: its defaults then
      llvm::consumeError(parsed.takeError());
      analyzer = builtin_registry().create(tag.source);
    }
  }
  return analyzer->rebuild_change();
}

std::string plan_text(const tagger::PlanReport &report) {
  std::string out;
  if (!report.will_break.empty())
    out += "will break:\n";
  for (const tagger::PredictedBreakage &breakage : report.will_break)
    out += "  " + tagger::describe(breakage) + "\n";
  if (!report.may_break.empty())
    out += "may break:\n";
  for (const tagger::PredictedBreakage &breakage : report.may_break)
    out += "  " + tagger::describe(breakage) + "\n";
  return out + rebuild_text(report.rebuild);
}

llvm::Expected<int> run_plan(StoreArguments &o) {
  llvm::Expected<std::vector<tagger::PlannedRebuild>> planned = planned_rebuilds(o.packages);
  if (!planned)
    return planned.takeError();
  return read(o, [&](Store &store) -> llvm::Expected<int> {
    llvm::Expected<packages::OwnerIndex> index = read_package_index(o.root, o.package_manager, true);
    if (!index)
      return index.takeError();
    report_damage(*index);
    llvm::Expected<tagger::PlanReport> report = tagger::plan(store, *planned, declaration_of);
    if (!report)
      return report.takeError();
    if (o.json) {
      write_stdout(json_text(tagger::to_json(*report), 2) + "\n");
    } else if (o.format == "text") {
      write_stdout(plan_text(*report));
    } else {
      for (const tagger::PredictedBreakage &breakage : report->will_break)
        report_note("will break: " + tagger::describe(breakage));
      for (const tagger::PredictedBreakage &breakage : report->may_break)
        report_note("may break: " + tagger::describe(breakage));
      write_stdout(rebuild_for_manager(report->rebuild, o.format, *index));
    }
    return report->clean() ? kExitOk : kExitFindings;
  });
}

// One store command: its arguments, the options it declares on them, and
// what runs it.
class StoreCommand final : public Command {
public:
  using Declare = void (*)(CLI::App &, StoreArguments &);
  using Run = llvm::Expected<int> (*)(StoreArguments &);

  StoreCommand(std::string_view name, std::string_view description, Declare declare, Run run)
      : name_(name), description_(description), declare_(declare), run_(run) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }

  void add_options(CLI::App &command) override {
    arguments_.command = &command;
    // Not CLI11's envname: the environment would then overwrite a --db given
    // before the command (which main moves behind it).
    command
        .add_option("--db", arguments_.db,
                    "the tag store (default: $ABITAG_DB, else " + std::string(tagger::kDefaultStorePath) + ")")
        ->type_name("PATH");
    declare_(command, arguments_);
  }

  llvm::Expected<int> run() override {
    if (arguments_.db.empty())
      arguments_.db = default_store_path();
    llvm::Expected<int> code = run_(arguments_);
    if (!code)
      return machine_failures(code.takeError());
    return code;
  }

private:
  std::string_view name_, description_;
  Declare declare_;
  Run run_;
  StoreArguments arguments_;
};

void declare_set(CLI::App &set, StoreArguments &o) {
  set.add_option("package", o.package, "package id, e.g. dev-libs/foo:0")->required();
  set.add_option("key", o.key, "tag name")->required();
  set.add_option("value", o.value, "tag value")->required();
}

void declare_tag(CLI::App &tag, StoreArguments &o) {
  tag.add_option("package", o.package, "package id")->required();
  tag.add_option("analyzer", o.analyzer, "analyzer name ('abitag analyzers' lists them)")
      ->required()
      ->type_name("ANALYZER");
  // Everything after ANALYZER goes to the analyzer: its options, then paths.
  tag.prefix_command();
  tag.footer("Everything after ANALYZER is the analyzer's: its options, then the paths, as after\n"
             "`abitag ANALYZER` (e.g. abitag tag dev-haskell/foo:0 ghc --tag IMAGE). --db goes before PACKAGE.\n"
             "The options (without --root) and the paths (as seen inside --root) are recorded with the value,\n"
             "so that `abitag audit` can compute it again on the installed files.\n\n" +
             tag.get_footer());
}

void declare_lock(CLI::App &lock, StoreArguments &o) {
  lock.add_option("package", o.package, "the dependant")->required();
  lock.add_option("dependency", o.dependency, "the package it was built against")->required();
  lock.add_option("key", o.key, "the dependency's tag")->required();
  lock.add_option("value", o.value, "the value to lock (default: the current one)");
}

// The readers' --if-exists: for a hook that runs before anything was recorded.
void declare_if_exists(CLI::App &reader, StoreArguments &o) {
  reader.add_flag("--if-exists", o.if_exists,
                  "no store at all reads as an empty one (exit 0) instead of exit 3, for hooks");
}

void declare_show(CLI::App &show, StoreArguments &o) {
  show.add_option("package", o.package, "package id");
  show.add_flag("--json", o.json, "print the export format");
  declare_if_exists(show, o);
}

void declare_forget(CLI::App &forget, StoreArguments &o) {
  forget.add_option("package", o.package, "package id")->required();
  forget.add_flag("--if-known", o.if_known,
                  "succeed without a word when the store does not know PACKAGE (an uninstall hook run twice)");
}

void declare_export(CLI::App &exp, StoreArguments &o) { declare_if_exists(exp, o); }

void declare_import(CLI::App &import, StoreArguments &o) {
  import.add_option("file", o.file, "the JSON file ('-' or none: stdin)")->type_name("FILE");
  import.add_flag("--replace", o.replace, "empty the store first (default: merge, imported entries win)");
}

// check's and plan's output: text, --json, or what a package manager takes.
void declare_rebuild_output(CLI::App &command, StoreArguments &o) {
  command.add_flag("--json", o.json, "print one JSON document");
  command.add_option("--format", o.format,
                     "text, lines (one package a line), or the one command that rebuilds or reinstalls them: "
                     "cave, emerge, pacman, dnf, apt (versions and slots from the package database for the ids "
                     "that name an installed package)")
      ->check(CLI::IsMember({"text", "lines", "cave", "emerge", "pacman", "dnf", "apt"}));
  add_package_database_options(command, o.root, o.package_manager);
}

void declare_check(CLI::App &check, StoreArguments &o) {
  check.add_option("packages", o.packages, "check only the locks of these packages");
  declare_rebuild_output(check, o);
  declare_if_exists(check, o);
}

void declare_plan(CLI::App &plan, StoreArguments &o) {
  plan.add_option("packages", o.packages,
                  "the packages about to be rebuilt or upgraded, each with the fingerprint of its new inputs "
                  "(`abitag inputs`) where known")
      ->required()
      ->type_name("PKG[=FINGERPRINT]");
  declare_rebuild_output(plan, o);
}

} // namespace

llvm::Error machine_failures(llvm::Error error) {
  return llvm::handleErrors(std::move(error), [](const tagger::StoreEnvironmentError &e) {
    return environment_error(e.message());
  });
}

std::string default_store_path() {
  const char *from_environment = std::getenv("ABITAG_DB");
  return from_environment && *from_environment ? from_environment : tagger::kDefaultStorePath;
}

ReadStoreTags store_tags_reader(const std::string &default_db) {
  return [default_db](const std::string &db, const std::string &package) {
    return read_store_tags(db.empty() ? default_db : db, package);
  };
}

std::vector<std::unique_ptr<Command>> make_store_commands() {
  std::vector<std::unique_ptr<Command>> out;
  auto add = [&](std::string_view name, std::string_view description, StoreCommand::Declare declare,
                 StoreCommand::Run run) { out.push_back(std::make_unique<StoreCommand>(name, description, declare, run)); };
  add("set", "record the tag KEY=VALUE of an installed package", declare_set, run_set);
  add("tag", "run an analyzer and record its value under the analyzer's name", declare_tag, run_tag);
  add("lock", "record that PACKAGE was built against DEPENDENCY's KEY", declare_lock, run_lock);
  add("show", "print the tags and locks of one package or of all", declare_show, run_show);
  add("forget", "drop an uninstalled package's tags and locks", declare_forget, run_forget);
  add("export", "print the whole store as JSON", declare_export, run_export);
  add("import", "read an export (all of it or nothing)", declare_import, run_import);
  add("check",
      "list stale locks (a lock held by or on a package the package manager no longer lists is one) and what to "
      "rebuild, in order; exit 1 if any", declare_check, run_check);
  add("plan",
      "before a rebuild or upgrade of PKG...: the installed packages whose locks will or may go stale, in "
      "rebuild order; exit 1 if any", declare_plan, run_plan);
  return out;
}

} // namespace abitag::cli
