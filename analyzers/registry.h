// SPDX-License-Identifier: MIT
// The analyzers built into abitag. The core (fingerprint/analyzer.h) defines
// what an analyzer and a registry are; which analyzers there are is known
// only here, above them.
#pragma once

#include "fingerprint/analyzer.h"

namespace abitag {

// The registry with every analyzer built into abitag (analyzers/registry.cpp).
Registry &builtin_registry();

} // namespace abitag
