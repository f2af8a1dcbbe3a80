// SPDX-License-Identifier: MIT
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
  kExitEnvironment = 4, // a tool abitag runs is missing or failed, the store's disk is full, or stdout failed
};

// An input that could not be used, reported as "abitag: PATH: REASON".
struct InputError {
  std::string path;
  std::string reason;
};

// A failure that ends a command, with the exit code abitag then ends with.
// Commands return it rather than print it: cli/report.cpp writes every
// "abitag: MESSAGE" line in one place. Any other llvm::Error that reaches
// there is an input that could not be read (kExitBadInput).
class ExitError : public llvm::ErrorInfo<ExitError> {
public:
  static char ID;
  ExitError(int code, std::string message) : code_(code), message_(std::move(message)) {}
  int code() const { return code_; }
  void log(llvm::raw_ostream &os) const override { os << message_; }
  std::error_code convertToErrorCode() const override { return llvm::inconvertibleErrorCode(); }

private:
  int code_;
  std::string message_;
};

// Renders an llvm::Error as one line and consumes it.
std::string to_message(llvm::Error error);

// Builds an llvm::Error carrying a plain message.
llvm::Error make_error(const std::string &message);

// The command line is wrong (kExitUsage).
llvm::Error usage_error(const std::string &message);

// A program abitag needed is missing or failed, the disk under the store
// failed, or stdout cannot be written (kExitEnvironment).
llvm::Error environment_error(const std::string &message);

// One error per unusable input, "PATH: REASON" each (kExitBadInput);
// success when ERRORS is empty.
llvm::Error input_errors(const std::vector<InputError> &errors);

} // namespace abitag
