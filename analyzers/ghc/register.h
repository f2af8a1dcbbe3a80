#pragma once

#include "fingerprint/analyzer.h"

namespace abitag::ghc {

// Adds the ghc analyzer: cabal ids, ABI hashes and package database checks.
void register_analyzer(Registry &registry);

} // namespace abitag::ghc
