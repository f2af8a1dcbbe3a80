// SPDX-License-Identifier: MIT
#include "fingerprint/output.h"

#include <atomic>
#include <cerrno>
#include <cstdio>

namespace abitag {
namespace {

std::atomic<int> first_errno{0};

// Keeps the reason of the first failure; false, for the caller to return.
bool failed() {
  int expected = 0;
  first_errno.compare_exchange_strong(expected, errno != 0 ? errno : EIO);
  return false;
}

} // namespace

bool write_stdout(std::string_view text) {
  if (std::ferror(stdout))
    return false;
  return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() || failed();
}

bool flush_stdout() {
  if (std::ferror(stdout))
    return false;
  return std::fflush(stdout) == 0 || failed();
}

int stdout_write_errno() { return first_errno.load(); }

} // namespace abitag
