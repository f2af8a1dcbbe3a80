// SPDX-License-Identifier: MIT
// Reading a build's inputs, each to one hash, and folding them into one
// fingerprint that does not depend on the order they were named in.
#pragma once

#include <string>
#include <vector>

#include "fingerprint/analyzer.h"

namespace abitag::inputs {

struct Input {
  std::string kind; // file, value, compiler, target, tag
  std::string name; // the path, NAME, the command, the target, "PKG KEY"
  std::string hash; // SHA-256 of the contents, value, --version output or binary, target, tag value
};

struct InputList {
  std::vector<Input> inputs;
  std::vector<InputError> errors; // inputs that could not be read: no fingerprint
};

void add_files(const std::vector<std::string> &paths, InputList &out);
// NAME=VALUE each; one without '=' is an error naming it.
void add_values(const std::vector<std::string> &values, InputList &out);
// COMMAND (words split at spaces): its identity as ccache's compiler_check
// takes it (CHECK "version": its --version output; "content": its binary)
// and the target it builds for (-dumpmachine, left out when the answer is
// no target triple: ghc and sbcl have no such option).
void add_compiler(const std::string &command, const std::string &check, InputList &out);
// Every tag each package has now in the store.
void add_store_tags(const std::vector<std::string> &packages, const std::string &db,
                    const ReadStoreTags &read, InputList &out);

// kFingerprintPrefix and the SHA-256 of the sorted "KIND NAME HASH" lines; a
// file contributes its hash only, so renaming a distfile changes nothing.
std::string fingerprint_of(const std::vector<Input> &inputs);

} // namespace abitag::inputs
