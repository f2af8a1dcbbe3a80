#include "fingerprint/errors.h"

#include <algorithm>
#include <cstdio>

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

std::string format_input_error(const InputError &error) {
  return "abitag: " + error.path + ": " + error.reason;
}

void print_input_errors(const std::vector<InputError> &errors) {
  for (const InputError &error : errors)
    std::fprintf(stderr, "%s\n", format_input_error(error).c_str());
}

} // namespace abitag
