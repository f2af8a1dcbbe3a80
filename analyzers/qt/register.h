#pragma once

#include "fingerprint/analyzer.h"

namespace abitag::qt {

// Adds the qt analyzer: who exports and who uses Qt's private API, the exact
// Qt version each records, and --check.
void register_analyzer(Registry &registry);

} // namespace abitag::qt
