#include "cli/report.h"

#include <algorithm>
#include <cstdio>

#include "fingerprint/errors.h"

namespace abitag::cli {
namespace {

void print_line(std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' '); // libObject joins nested errors with newlines
  std::fprintf(stderr, "abitag: %s\n", message.c_str());
}

} // namespace

int report_error(llvm::Error error) {
  int code = kExitOk;
  llvm::handleAllErrors(
      std::move(error),
      [&](const ExitError &e) {
        print_line(e.message());
        code = std::max(code, e.code());
      },
      [&](const llvm::ErrorInfoBase &e) {
        print_line(e.message());
        code = std::max(code, int{kExitBadInput});
      });
  return code;
}

} // namespace abitag::cli
