// SPDX-License-Identifier: MIT
// The seed scheme's compiler hash: sha1 of `<compiler> --version`'s standard
// output, the value of `gcc --version | sha1sum | cut -f1 -d' '`.
#pragma once

#include <string>

#include <llvm/Support/Error.h>

namespace abitag::cxxabi {

// The command to hash: COMPILER when given, else PREFIX + "gcc".
std::string compiler_command(const std::string &compiler, const std::string &tools_prefix);

// "sha1-" + the hex SHA-1 of what the compiler prints for --version.
llvm::Expected<std::string> compiler_seed_tag(const std::string &command);

} // namespace abitag::cxxabi
