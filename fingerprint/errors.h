// Exit codes and the one-line errors that abitag reports about its inputs.
#pragma once

#include <string>
#include <vector>

#include <llvm/Support/Error.h>

namespace abitag {

// The documented exit codes (README, --help and the man page list them).
enum ExitCode : int {
  kExitOk = 0,          // success; for checks: nothing found
  kExitFindings = 1,    // a check found something stale or broken
  kExitUsage = 2,       // the command line is wrong
  kExitBadInput = 3,    // an input could not be read or parsed
  kExitEnvironment = 4, // a tool abitag must run is missing or failed, or the disk under the store is full
};

// An input that could not be used, reported as "abitag: PATH: REASON".
struct InputError {
  std::string path;
  std::string reason;
};

// Renders an llvm::Error as one line and consumes it.
std::string to_message(llvm::Error error);

// Builds an llvm::Error carrying a plain message.
llvm::Error make_error(const std::string &message);

// The line printed for an input error, without the trailing newline.
std::string format_input_error(const InputError &error);

// Prints each error on stderr, one line each.
void print_input_errors(const std::vector<InputError> &errors);

} // namespace abitag
