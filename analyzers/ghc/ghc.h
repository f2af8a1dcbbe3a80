// SPDX-License-Identifier: MIT
// The ghc analyzer's one header for the rest of abitag: its registration,
// and the reading of library components from register scripts, .conf files,
// dumps and package databases (read_inputs) that the audit's ghc section
// uses. Its other headers are its own.
#pragma once

#include "analyzers/ghc/read_inputs.h"
#include "fingerprint/analyzer.h"

namespace abitag::ghc {

// Adds the ghc analyzer: cabal ids, ABI hashes and package database checks.
void register_analyzer(Registry &registry);

} // namespace abitag::ghc
