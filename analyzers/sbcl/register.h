#pragma once

#include "fingerprint/analyzer.h"

namespace abitag::sbcl {

// Adds the sbcl analyzer: build ids, hashes and foreign libraries of SBCL
// cores, executables and runtimes.
void register_analyzer(Registry &registry);

} // namespace abitag::sbcl
