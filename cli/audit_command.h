// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "fingerprint/analyzer.h"

namespace abitag {

// `abitag audit [ROOT] [--json] [--only SECTION,...]`.
std::unique_ptr<Command> make_audit_command();

} // namespace abitag
