// SPDX-License-Identifier: MIT
// An analyzer as a command: `abitag NAME [options] PATH...` with the options
// every analyzer shares (--json, --explain, --root) and its own.
#pragma once

#include <memory>

#include "fingerprint/analyzer.h"

namespace abitag::cli {

std::unique_ptr<Command> make_analyzer_command(std::unique_ptr<Analyzer> analyzer);

// What ended ANALYSIS: its unusable inputs (kExitBadInput), else a failure
// of the environment (kExitEnvironment), else success.
llvm::Error analysis_error(const Analysis &analysis);

} // namespace abitag::cli
