#pragma once

#include "fingerprint/analyzer.h"

namespace abitag::kmod {

// Adds the kmod analyzer: kernel modules' vermagic and CRCs, kernels' tags,
// and whether a kernel would load a module.
void register_analyzer(Registry &registry);

} // namespace abitag::kmod
