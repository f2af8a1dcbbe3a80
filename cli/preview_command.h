// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "fingerprint/analyzer.h"

namespace abitag::cli {

std::unique_ptr<Command> make_preview_command();

} // namespace abitag::cli
