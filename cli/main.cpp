// The abitag command: one subcommand per analyzer, plus the commands the
// analyzers bring along. Parsing and printing live here; the work does not.
#include <cstdio>
#include <cstdlib>
#include <new>
#include <unistd.h>

#include <llvm/Support/ErrorHandling.h>

#include "cli/audit_command.h"
#include "cli/tagger_commands.h"
#include "fingerprint/analyzer.h"
#include "fingerprint/json_text.h"
#include "fingerprint/row_field.h"

namespace {

constexpr const char *kExitCodes =
    "Exit codes: 0 success; 1 a check found something stale or broken; 2 usage error;\n"
    "3 an input could not be read or parsed (one line per input on stderr, no value on\n"
    "stdout); 4 a program abitag needed to run is missing or failed, memory ran out, or the\n"
    "disk under the tag store is full.";

struct AnalyzerRun {
  std::unique_ptr<abitag::Analyzer> analyzer;
  abitag::AnalysisInputs inputs;
};

int print_analysis(const AnalyzerRun &run) {
  abitag::Analysis analysis = run.analyzer->analyze(run.inputs);
  if (!analysis.errors.empty()) {
    abitag::print_input_errors(analysis.errors);
    return abitag::kExitBadInput;
  }
  if (!analysis.failure.empty()) {
    std::fprintf(stderr, "abitag: %s\n", analysis.failure.c_str());
    return abitag::kExitEnvironment;
  }
  for (const std::string &line : analysis.explanation)
    std::fprintf(stderr, "%s\n", line.c_str());
  if (run.inputs.json)
    std::printf("%s\n", abitag::json_text(analysis.document, 2).c_str());
  else if (!analysis.value.empty()) // a check that found nothing prints nothing
    std::printf("%s\n", analysis.value.c_str());
  return analysis.exit_code;
}

} // namespace

// Every input abitag reads is held to bounds (RELIABILITY.md), so memory
// runs out only on a machine with too little of it: one line and the
// environment's exit code, from whichever thread asked, instead of an abort.
[[noreturn]] void out_of_memory() {
  static const char message[] = "abitag: out of memory\n";
  ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
  std::_Exit(abitag::kExitEnvironment);
}

int main(int argc, char **argv) {
  std::set_new_handler(out_of_memory);
  // LLVM's own containers allocate with malloc and, when it fails, call
  // this instead of operator new's handler (by default: a message and abort).
  llvm::install_bad_alloc_error_handler([](void *, const char *, bool) { out_of_memory(); });
  abitag::Registry &registry = abitag::builtin_registry();
  CLI::App app{"abitag: fingerprints the ABI and identity of installed software"};
  app.name("abitag");
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", "abitag " ABITAG_VERSION);

  app.add_subcommand("analyzers", "list the analyzers")->callback([&] {
    for (const auto &factory : registry.analyzers()) {
      std::unique_ptr<abitag::Analyzer> analyzer = factory();
      std::printf("%s\t%s\n", abitag::row_field(analyzer->name()).c_str(),
                  abitag::row_field(analyzer->description()).c_str());
    }
  });

  std::vector<AnalyzerRun> runs(registry.analyzers().size());
  for (std::size_t i = 0; i < registry.analyzers().size(); ++i) {
    AnalyzerRun &run = runs[i];
    run.analyzer = registry.analyzers()[i]();
    CLI::App *command = app.add_subcommand(std::string(run.analyzer->name()),
                                           std::string(run.analyzer->description()));
    command->add_option("paths", run.inputs.paths, "files or folders to analyze")->required();
    command->add_flag("--json", run.inputs.json, "print one JSON document with the value and the evidence");
    command->add_flag("--explain", run.inputs.explain,
                      "print the evidence per file on stderr (stdout keeps the value)");
    command->add_option("--root", run.inputs.root,
                        "take absolute link targets of named paths under DIR")
        ->capture_default_str();
    command->footer(kExitCodes);
    run.analyzer->add_options(*command);
  }
  // The analyzers' own commands, then the ones joining several analyzers.
  std::vector<abitag::Command *> commands;
  for (const auto &command : registry.commands())
    commands.push_back(command.get());
  std::unique_ptr<abitag::Command> audit = abitag::make_audit_command();
  commands.push_back(audit.get());
  std::vector<CLI::App *> command_apps;
  for (abitag::Command *command : commands) {
    CLI::App *sub = app.add_subcommand(std::string(command->name()), std::string(command->description()));
    sub->footer(kExitCodes);
    command->add_options(*sub);
    command_apps.push_back(sub);
  }

  abitag::cli::TaggerCommandsPtr tagger = abitag::cli::add_tagger_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? abitag::kExitOk : abitag::kExitUsage;
  }

  for (std::size_t i = 0; i < runs.size(); ++i)
    if (app.got_subcommand(std::string(runs[i].analyzer->name())))
      return print_analysis(runs[i]);
  for (std::size_t i = 0; i < command_apps.size(); ++i)
    if (command_apps[i]->parsed())
      return commands[i]->run();
  if (std::optional<int> code = abitag::cli::run_tagger_command(*tagger))
    return *code;
  return abitag::kExitOk;
}
