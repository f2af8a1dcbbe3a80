// SPDX-License-Identifier: MIT
// Running a helper program (a compiler's --version) without a shell.
#pragma once

#include <string>
#include <vector>

#include <llvm/Support/Error.h>

namespace abitag {

// Runs PROGRAM with ARGS (PROGRAM is looked up on PATH unless it contains a
// slash), with stdin and stderr on /dev/null, and returns its standard output.
// Fails when it cannot be started or exits non-zero.
llvm::Expected<std::string> capture_output(const std::string &program,
                                           const std::vector<std::string> &args);

} // namespace abitag
