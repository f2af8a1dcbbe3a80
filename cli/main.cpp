// The abitag command: every command (cli/commands.h) parsed by one CLI11 app,
// run, and its end reported in one place (cli/report.h). Parsing and printing
// live here; the work does not.
#include <cstdlib>
#include <new>
#include <unistd.h>

#include <llvm/Support/ErrorHandling.h>

#include "cli/commands.h"
#include "cli/report.h"

namespace abitag::cli {
namespace {

constexpr const char *kExitCodes =
    "Exit codes: 0 success; 1 a check found something stale or broken; 2 usage error;\n"
    "3 an input could not be read or parsed (one line per input on stderr, no value on\n"
    "stdout); 4 a program abitag needed to run is missing or failed, memory ran out, or\n"
    "stdout could not be written (abitag: write error: REASON).";

// Parses the command line into ROOT. Returns the exit code when the run
// ends here: the help or the version was printed, or the command line is
// wrong.
std::optional<int> parse(CLI::App &root, int argc, char **argv) {
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = root.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return std::nullopt;
}

int run(int argc, char **argv) {
  CLI::App root{"abitag: fingerprints the ABI and identity of installed software"};
  root.name("abitag");
  root.footer(kExitCodes);
  root.require_subcommand(1);
  root.set_version_flag("--version", "abitag " ABITAG_VERSION);
  CommandTable table = add_commands(root, builtin_registry(), kExitCodes);
  if (std::optional<int> code = parse(root, argc, argv))
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
