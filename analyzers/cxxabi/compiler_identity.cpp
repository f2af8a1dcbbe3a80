// SPDX-License-Identifier: MIT
#include "analyzers/cxxabi/compiler_identity.h"

#include "fingerprint/child_process.h"
#include "fingerprint/hash.h"

namespace abitag::cxxabi {

std::string compiler_command(const std::string &compiler, const std::string &tools_prefix) {
  return compiler.empty() ? tools_prefix + "gcc" : compiler;
}

llvm::Expected<std::string> compiler_seed_tag(const std::string &command) {
  llvm::Expected<std::string> version = capture_output(command, {"--version"});
  if (!version)
    return version.takeError();
  return "sha1-" + sha1_hex(*version);
}

} // namespace abitag::cxxabi
