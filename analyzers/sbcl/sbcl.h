// SPDX-License-Identifier: MIT
// The sbcl analyzer's one header for the rest of abitag: its registration,
// and what the audit's sbcl section uses of it (finding a core in a file and
// reading its header, the facts of its heap, and the start check). Its other
// headers are its own; this one gathers the parts the rest may use.
#pragma once

#include "analyzers/sbcl/check.h"
#include "analyzers/sbcl/core_facts.h"
#include "analyzers/sbcl/core_header.h"
#include "analyzers/sbcl/file_reader.h"
#include "fingerprint/analyzer.h"

namespace abitag::sbcl {

// Adds the sbcl analyzer: build ids, hashes and foreign libraries of SBCL
// cores, executables and runtimes.
void register_analyzer(Registry &registry);

} // namespace abitag::sbcl
