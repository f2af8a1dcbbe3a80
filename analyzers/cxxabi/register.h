#pragma once

#include "fingerprint/analyzer.h"

namespace abitag::cxxabi {

// Adds the cxxabi analyzer and the `symbols` command.
void register_analyzer(Registry &registry);

} // namespace abitag::cxxabi
