// SPDX-License-Identifier: MIT
// The inputs analyzer's one header for the rest of abitag: a fingerprint of
// what a build consumes, computed before building (the files it reads, named
// values, the compiler, the current tags of what it locks on), so that
// `abitag plan` can tell a rebuild with unchanged inputs from one without.
#pragma once

#include <string_view>

#include "fingerprint/analyzer.h"

namespace abitag::inputs {

// Every fingerprint starts so; the rest is a SHA-256 in lowercase hex.
constexpr std::string_view kFingerprintPrefix = "inputs1-";

// Whether TEXT is a fingerprint the inputs analyzer makes.
bool is_fingerprint(std::string_view text);

// Adds the inputs analyzer.
void register_analyzer(Registry &registry);

} // namespace abitag::inputs
