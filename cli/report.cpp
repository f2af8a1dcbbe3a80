// SPDX-License-Identifier: MIT
#include "cli/report.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdio_ext.h>

#include "fingerprint/errors.h"
#include "fingerprint/output.h"

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

void report_note(const std::string &message) { print_line(message); }

int finish_output(int code) {
  bool pending = __fpending(stdout) != 0;
  bool failed = std::ferror(stdout) != 0;
  int reason = stdout_write_errno();
  errno = 0;
  if (std::fclose(stdout) != 0) {
    int close_errno = errno;
    // As gnulib's close_stdout: a stdout closed before abitag ran (EBADF)
    // is no error as long as nothing was written to it.
    failed = failed || pending || close_errno != EBADF;
    reason = reason != 0 ? reason : close_errno;
  }
  if (!failed)
    return code;
  if (reason == EPIPE)
    return kExitEnvironment; // the reader is gone, and wanted no more
  return report_error(environment_error(std::string("write error: ") + std::strerror(reason != 0 ? reason : EIO)));
}

} // namespace abitag::cli
