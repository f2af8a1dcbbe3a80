// SPDX-License-Identifier: MIT
#include "fingerprint/errors.h"

#include <algorithm>

namespace abitag {

std::string to_message(llvm::Error error) {
  std::string message = llvm::toString(std::move(error));
  // libObject joins nested errors with newlines; a report is one line.
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message;
}

llvm::Error make_error(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

char ExitError::ID;

llvm::Error usage_error(const std::string &message) { return llvm::make_error<ExitError>(kExitUsage, message); }

llvm::Error environment_error(const std::string &message) {
  return llvm::make_error<ExitError>(kExitEnvironment, message);
}

llvm::Error input_errors(const std::vector<InputError> &errors) {
  llvm::Error all = llvm::Error::success();
  for (const InputError &error : errors)
    all = llvm::joinErrors(std::move(all), llvm::make_error<ExitError>(kExitBadInput, error.path + ": " + error.reason));
  return all;
}

} // namespace abitag
