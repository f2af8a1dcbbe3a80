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

#include "fingerprint/analyzer.h"
#include "fingerprint/json_text.h"
#include "fingerprint/row_field.h"
#include "tagger/analyzer_arguments.h"
#include "tagger/check.h"
#include "tagger/exchange.h"
#include "tagger/names.h"
#include "tagger/store.h"

namespace abitag::cli {

using tagger::Store;

class TaggerCommands {
public:
  std::string db; // --db, else ABITAG_DB, else the default
  std::string package, dependency, key, value, analyzer, format = "text", file = "-";
  std::vector<std::string> paths, packages;
  std::vector<std::string> analyzer_args; // `tag`: the analyzer's options and paths
  bool json = false, replace = false;
  bool if_exists = false; // readers: no store reads as an empty one

  // Each subcommand with the function that carries it out.
  std::vector<std::pair<CLI::App *, std::function<int()>>> commands;
};

void TaggerCommandsDeleter::operator()(TaggerCommands *commands) const { delete commands; }

namespace {

int report(llvm::Error error) {
  // A full disk or an I/O error is the machine's, not the store's.
  int code = error.isA<tagger::StoreEnvironmentError>() ? kExitEnvironment : kExitBadInput;
  std::fprintf(stderr, "abitag: %s\n", to_message(std::move(error)).c_str());
  return code;
}

int usage(const std::string &message) {
  std::fprintf(stderr, "abitag: %s\n", message.c_str());
  return kExitUsage;
}

std::optional<std::string> invalid_arguments(std::initializer_list<std::pair<const char *, std::string>> words) {
  for (const auto &[what, word] : words)
    if (std::optional<std::string> why = tagger::invalid_word(what, word))
      return why;
  return std::nullopt;
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
int write(const std::string &db, const std::function<llvm::Error(Store &)> &work) {
  llvm::Expected<std::unique_ptr<Store>> store = Store::open_for_writing(db);
  if (!store)
    return report(store.takeError());
  if (llvm::Error e = (*store)->begin_write())
    return report(std::move(e));
  if (llvm::Error e = work(**store)) {
    (*store)->rollback();
    return report(std::move(e));
  }
  if (llvm::Error e = (*store)->commit())
    return report(std::move(e));
  return kExitOk;
}

// Runs WORK on one consistent snapshot of the store; WORK returns the exit code.
int read(const TaggerCommands &o, const std::function<llvm::Expected<int>(Store &)> &work) {
  llvm::Expected<std::unique_ptr<Store>> store =
      Store::open_for_reading(o.db, o.if_exists ? tagger::IfMissing::ReadEmpty : tagger::IfMissing::Fail);
  if (!store)
    return report(store.takeError());
  if (llvm::Error e = (*store)->begin_read())
    return report(std::move(e));
  llvm::Expected<int> code = work(**store);
  if (!code)
    return report(code.takeError());
  (*store)->rollback(); // nothing to keep: ends the read transaction
  return *code;
}

int run_set(const TaggerCommands &o) {
  if (auto why = invalid_arguments({{"a package id", o.package}, {"a key", o.key}}))
    return usage(*why);
  if (auto why = tagger::invalid_value(o.value))
    return usage(*why);
  return write(o.db, [&](Store &store) { return store.set_tag({o.package, o.key, o.value, "manual", now(), std::nullopt}); });
}

int run_tag(const TaggerCommands &o) {
  if (auto why = invalid_arguments({{"a package id", o.package}}))
    return usage(*why);
  std::unique_ptr<Analyzer> analyzer = builtin_registry().create(o.analyzer);
  if (!analyzer)
    return usage("no analyzer named '" + o.analyzer + "' ('abitag analyzers' lists them)");
  // Open the store before a possibly long analysis, so a bad store fails
  // fast; the write lock is only taken once the value is known.
  llvm::Expected<std::unique_ptr<Store>> store = Store::open_for_writing(o.db);
  if (!store)
    return report(store.takeError());
  // The rest of the command line is the analyzer's, exactly as after
  // `abitag ANALYZER` (e.g. `abitag tag PKG ghc --tag IMAGE`).
  AnalysisInputs inputs;
  llvm::Expected<tagger::TagArguments> recorded = tagger::parse_analyzer_arguments(*analyzer, o.analyzer_args, inputs);
  if (!recorded)
    return usage(to_message(recorded.takeError()));
  Analysis analysis = analyzer->analyze(inputs);
  if (!analysis.errors.empty()) {
    print_input_errors(analysis.errors);
    return kExitBadInput;
  }
  if (!analysis.failure.empty()) {
    std::fprintf(stderr, "abitag: %s\n", analysis.failure.c_str());
    return kExitEnvironment;
  }
  // No value (a --field the package lacks) is never recorded: exit 3, the
  // store untouched.
  if (auto why = tagger::invalid_value(analysis.value))
    return report(make_error(o.analyzer + ": " + *why + "; nothing recorded"));
  store->reset();
  int code = write(o.db, [&](Store &s) {
    return s.set_tag(
        {o.package, std::string(analyzer->name()), analysis.value, std::string(analyzer->name()), now(), *recorded});
  });
  if (code == kExitOk)
    std::printf("%s\n", analysis.value.c_str());
  return code;
}

int run_lock(const TaggerCommands &o, bool value_given) {
  if (auto why = invalid_arguments({{"a package id", o.package}, {"a dependency", o.dependency}, {"a key", o.key}}))
    return usage(*why);
  if (auto why = value_given ? tagger::invalid_value(o.value) : std::nullopt)
    return usage(*why);
  return write(o.db, [&](Store &store) -> llvm::Error {
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
  });
}

void print_snapshot(const tagger::Snapshot &snapshot) {
  std::string current;
  auto heading = [&](const std::string &package) {
    if (package != current)
      std::printf("%s\n", package.c_str());
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
      std::printf("  tag  %s=%s (%s, %s)\n", tag.key.c_str(), tag.value.c_str(), tag.source.c_str(),
                  timestamp(tag.time).c_str());
    } else {
      const tagger::Lock &lock = snapshot.locks[l++];
      heading(lock.package);
      std::printf("  lock %s %s=%s (%s)\n", lock.dependency.c_str(), lock.key.c_str(), lock.value.c_str(),
                  timestamp(lock.time).c_str());
    }
  }
}

int run_show(const TaggerCommands &o) {
  return read(o, [&](Store &store) -> llvm::Expected<int> {
    std::optional<std::string> only;
    if (!o.package.empty())
      only = o.package;
    llvm::Expected<tagger::Snapshot> snapshot = tagger::read_snapshot(store, only);
    if (!snapshot)
      return snapshot.takeError();
    if (only && snapshot->tags.empty() && snapshot->locks.empty())
      return make_error(o.package + ": not in the store " + store.path());
    if (o.json)
      std::printf("%s\n", json_text(tagger::to_json(*snapshot), 2).c_str());
    else
      print_snapshot(*snapshot);
    return kExitOk;
  });
}

int run_forget(const TaggerCommands &o) {
  if (auto why = invalid_arguments({{"a package id", o.package}}))
    return usage(*why);
  return write(o.db, [&](Store &store) -> llvm::Error {
    llvm::Expected<bool> removed = store.forget(o.package);
    return removed ? llvm::Error::success() : removed.takeError();
  });
}

int run_export(const TaggerCommands &o) {
  return read(o, [&](Store &store) -> llvm::Expected<int> {
    // A backup of a damaged store must fail loudly, also where the damage
    // sits in pages the export itself does not read (the indexes).
    if (llvm::Error e = store.verify())
      return e;
    llvm::Expected<tagger::Snapshot> snapshot = tagger::read_snapshot(store);
    if (!snapshot)
      return snapshot.takeError();
    std::printf("%s\n", json_text(tagger::to_json(*snapshot), 2).c_str());
    return kExitOk;
  });
}

int run_import(const TaggerCommands &o) {
  std::string name = o.file == "-" ? "(stdin)" : o.file;
  std::string text;
  if (o.file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(o.file, std::ios::binary);
    if (!in)
      return report(make_error(name + ": " + std::strerror(errno)));
    std::ostringstream content;
    content << in.rdbuf();
    text = content.str();
  }
  llvm::Expected<tagger::Snapshot> snapshot = tagger::parse_snapshot(text);
  if (!snapshot)
    return report(make_error(name + ": " + to_message(snapshot.takeError())));
  return write(o.db, [&](Store &store) { return tagger::write_snapshot(store, *snapshot, o.replace); });
}

// Quotes a word for a shell when it needs it.
std::string shell_word(const std::string &word) {
  if (word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-./:=@") ==
      std::string::npos)
    return word;
  std::string out = "'";
  for (char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void print_check(const tagger::CheckReport &report, const std::string &format) {
  if (format == "text") {
    if (!report.stale.empty())
      std::printf("stale locks:\n");
    for (const tagger::StaleLock &stale : report.stale)
      std::printf("  %s\n", tagger::describe(stale).c_str());
    if (!report.rebuild.order.empty())
      std::printf("rebuild, dependencies first:\n");
    for (const std::string &package : report.rebuild.order)
      std::printf("  %s\n", package.c_str());
    for (const auto &cycle : report.rebuild.cycles) {
      std::string members;
      for (const std::string &package : cycle)
        members += " " + package;
      std::printf("cycle:%s\n", members.c_str());
    }
    return;
  }
  // For a package manager: stdout carries only the rebuild, the reasons go to stderr.
  for (const tagger::StaleLock &stale : report.stale)
    std::fprintf(stderr, "abitag: stale: %s\n", tagger::describe(stale).c_str());
  for (const auto &cycle : report.rebuild.cycles) {
    std::string members;
    for (const std::string &package : cycle)
      members += " " + package;
    std::fprintf(stderr, "abitag: cycle:%s\n", members.c_str());
  }
  if (format == "lines") {
    for (const std::string &package : report.rebuild.order)
      std::printf("%s\n", row_field(package).c_str());
  } else if (!report.rebuild.order.empty()) {
    std::string command = "cave resolve --execute --preserve-world";
    for (const std::string &package : report.rebuild.order)
      command += " " + shell_word(tagger::cave_spec(package));
    std::printf("%s\n", command.c_str());
  }
}

int run_check(const TaggerCommands &o) {
  return read(o, [&](Store &store) -> llvm::Expected<int> {
    llvm::Expected<tagger::CheckReport> report = tagger::check(store, o.packages);
    if (!report)
      return report.takeError();
    if (o.json)
      std::printf("%s\n", json_text(tagger::to_json(*report), 2).c_str());
    else
      print_check(*report, o.format);
    return report->stale.empty() ? kExitOk : kExitFindings;
  });
}

CLI::App *subcommand(CLI::App &app, TaggerCommands &o, const char *name, const char *description) {
  CLI::App *sub = app.add_subcommand(name, description);
  // Not CLI11's envname: the option is shared by the subcommands, and the
  // environment would then overwrite a --db given to the one that runs.
  sub->add_option("--db", o.db,
                  "the tag store (default: $ABITAG_DB, else " + std::string(tagger::kDefaultStorePath) + ")");
  sub->footer(app.get_footer());
  return sub;
}

} // namespace

TaggerCommandsPtr add_tagger_commands(CLI::App &app) {
  TaggerCommandsPtr o(new TaggerCommands);
  TaggerCommands &opts = *o;

  CLI::App *set = subcommand(app, opts, "set", "record the tag KEY=VALUE of an installed package");
  set->add_option("package", opts.package, "package id, e.g. dev-libs/foo:0")->required();
  set->add_option("key", opts.key, "tag name")->required();
  set->add_option("value", opts.value, "tag value")->required();
  opts.commands.emplace_back(set, [&opts] { return run_set(opts); });

  CLI::App *tag = subcommand(app, opts, "tag", "run an analyzer and record its value under the analyzer's name");
  tag->add_option("package", opts.package, "package id")->required();
  tag->add_option("analyzer", opts.analyzer, "analyzer name ('abitag analyzers' lists them)")->required();
  // Everything after ANALYZER goes to the analyzer: its options, then paths.
  tag->prefix_command();
  tag->footer("Everything after ANALYZER is the analyzer's: its options, then the paths, as after\n"
              "`abitag ANALYZER` (e.g. abitag tag dev-haskell/foo:0 ghc --tag IMAGE). --db goes before PACKAGE.\n"
              "The options (without --root) and the paths (as seen inside --root) are recorded with the value,\n"
              "so that `abitag audit` can compute it again on the installed files.\n\n" +
              app.get_footer());
  opts.commands.emplace_back(tag, [&opts, tag] {
    opts.analyzer_args = tag->remaining();
    return run_tag(opts);
  });

  CLI::App *lock = subcommand(app, opts, "lock", "record that PACKAGE was built against DEPENDENCY's KEY");
  lock->add_option("package", opts.package, "the dependant")->required();
  lock->add_option("dependency", opts.dependency, "the package it was built against")->required();
  lock->add_option("key", opts.key, "the dependency's tag")->required();
  CLI::Option *value = lock->add_option("value", opts.value, "the value to lock (default: the current one)");
  opts.commands.emplace_back(lock, [&opts, value] { return run_lock(opts, value->count() > 0); });

  CLI::App *show = subcommand(app, opts, "show", "print the tags and locks of one package or of all");
  show->add_option("package", opts.package, "package id");
  show->add_flag("--json", opts.json, "print the export format");
  opts.commands.emplace_back(show, [&opts] { return run_show(opts); });

  CLI::App *forget = subcommand(app, opts, "forget", "drop an uninstalled package's tags and locks");
  forget->add_option("package", opts.package, "package id")->required();
  opts.commands.emplace_back(forget, [&opts] { return run_forget(opts); });

  CLI::App *exp = subcommand(app, opts, "export", "print the whole store as JSON");
  opts.commands.emplace_back(exp, [&opts] { return run_export(opts); });

  CLI::App *imp = subcommand(app, opts, "import", "read an export (all of it or nothing)");
  imp->add_option("file", opts.file, "the JSON file ('-' or none: stdin)");
  imp->add_flag("--replace", opts.replace, "empty the store first (default: merge, imported entries win)");
  opts.commands.emplace_back(imp, [&opts] { return run_import(opts); });

  CLI::App *check = subcommand(app, opts, "check", "list stale locks and what to rebuild, in order; exit 1 if any");
  check->add_option("packages", opts.packages, "check only the locks of these packages");
  check->add_flag("--json", opts.json, "print one JSON document");
  check->add_option("--format", opts.format, "text, lines (one package a line) or cave (a cave resolve command)")
      ->check(CLI::IsMember({"text", "lines", "cave"}));
  opts.commands.emplace_back(check, [&opts] { return run_check(opts); });

  for (CLI::App *reader : {show, exp, check})
    reader->add_flag("--if-exists", opts.if_exists,
                     "no store at all reads as an empty one (exit 0) instead of exit 3, for hooks");
  return o;
}

std::optional<int> run_tagger_command(TaggerCommands &commands) {
  for (auto &[app, run] : commands.commands)
    if (app->parsed()) {
      if (commands.db.empty()) {
        const char *from_environment = std::getenv("ABITAG_DB");
        commands.db = from_environment && *from_environment ? from_environment : tagger::kDefaultStorePath;
      }
      return run();
    }
  return std::nullopt;
}

} // namespace abitag::cli
