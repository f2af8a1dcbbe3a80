// SPDX-License-Identifier: MIT
// The tag store's commands (set, tag, lock, show, forget, export, import,
// check): their options and their printing. The work is in tagger/.
#pragma once

#include <memory>
#include <vector>

#include "fingerprint/analyzer.h"

namespace abitag::cli {

std::vector<std::unique_ptr<Command>> make_store_commands();

} // namespace abitag::cli
