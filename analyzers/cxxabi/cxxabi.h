// SPDX-License-Identifier: MIT
// The cxxabi analyzer's one header for the rest of abitag: its registration,
// and what the audit uses of it: the name classifier (which C++ standard
// library ABI a symbol's name shows) and a file's verdict. Its other headers
// are its own; this one gathers the parts the rest may use.
#pragma once

#include "analyzers/cxxabi/file_verdict.h"
#include "analyzers/cxxabi/name_classifier.h"
#include "fingerprint/analyzer.h"

namespace abitag::cxxabi {

// Adds the cxxabi analyzer and the `symbols` command.
void register_analyzer(Registry &registry);

} // namespace abitag::cxxabi
