// SPDX-License-Identifier: MIT
// The abitag command: every command (cli/commands.h) parsed by one CLI11 app,
// run, and its end reported in one place (cli/report.h). Parsing and printing
// live here; the work does not.
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <vector>
#include <unistd.h>

#include <llvm/Support/ErrorHandling.h>

#include <CLI/CLI.hpp>

#include "analyzers/registry.h"
#include "cli/commands.h"
#include "cli/report.h"
#include "cli/usage.h"

namespace abitag::cli {
namespace {

constexpr const char *kExitCodes =
    "Exit codes: 0 success; 1 a check found something stale or broken; 2 usage error;\n"
    "3 an input could not be read or parsed (one line per input on stderr, no value on\n"
    "stdout), or a package is not in the store; 4 a program abitag needed to run is missing\n"
    "or failed, memory ran out, the disk under the tag store is full, or stdout could not be\n"
    "written (abitag: write error: REASON).";

// Parses ARGS (without the program name) into ROOT. Returns the exit code
// when the run ends here: the help or the version was printed, or the
// command line is wrong.
std::optional<int> parse(CLI::App &root, std::vector<std::string> args) {
  llvm::Expected<std::string> command = arrange_arguments(root, args);
  if (!command)
    return report_error(command.takeError());
  try {
    root.parse(std::vector<std::string>(args.rbegin(), args.rend())); // CLI11 takes them reversed
  } catch (const CLI::Success &e) {
    return root.exit(e); // --help, --version: printed on stdout
  } catch (const CLI::ParseError &e) {
    return report_error(parse_error(root, *command, args, e));
  }
  return std::nullopt;
}

int run(int argc, char **argv) {
  CLI::App root{"abitag: fingerprints the ABI and identity of installed software"};
  root.name("abitag");
  root.footer(kExitCodes);
  root.require_subcommand(1);
  root.set_version_flag("--version", "abitag " ABITAG_VERSION);
  // Declared for --help and completion only: arrange_arguments moves it
  // behind the command name before CLI11 parses, and the command takes it.
  std::string db_before_command;
  root.add_option("--db", db_before_command, "the tag store of the command that follows: abitag --db PATH show is "
                                             "abitag show --db PATH")
      ->type_name("PATH");
  CommandTable table = add_commands(root, builtin_registry(), kExitCodes);
  if (std::optional<int> code = parse(root, std::vector<std::string>(argv + 1, argv + argc)))
    return *code;
  for (const auto &[command, parsed] : table.commands)
    if (parsed->parsed()) {
      llvm::Expected<int> code = command->run();
      return code ? *code : report_error(code.takeError());
    }
  return kExitUsage; // not reached: parse requires a command
}

// Every input abitag reads is held to bounds (RELIABILITY.md), so memory
// runs out only on a machine with too little of it: one line and the
// environment's exit code, from whichever thread asked, instead of an abort.
[[noreturn]] void out_of_memory() {
  static const char message[] = "abitag: out of memory\n";
  ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
  std::_Exit(kExitEnvironment);
}

} // namespace
} // namespace abitag::cli

int main(int argc, char **argv) {
  using namespace abitag::cli;
  std::set_new_handler(out_of_memory);
  // LLVM's own containers allocate with malloc and, when it fails, call
  // this instead of operator new's handler (by default: a message and abort).
  llvm::install_bad_alloc_error_handler([](void *, const char *, bool) { out_of_memory(); });
  return finish_output(run(argc, argv));
}
