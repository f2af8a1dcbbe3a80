// SPDX-License-Identifier: MIT
// The tag store's commands (set, tag, lock, show, forget, export, import,
// check): their options and their printing. The work is in tagger/.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fingerprint/analyzer.h"

namespace abitag::cli {

std::vector<std::unique_ptr<Command>> make_store_commands();

// A full disk or an I/O error under the store is the machine's, not the
// store's: exit 4, where any other store error is exit 3.
llvm::Error machine_failures(llvm::Error error);

// The store a command uses without --db: $ABITAG_DB, else the default.
std::string default_store_path();
// Reads a package's current tags for an analyzer (AnalysisInputs::store_tags),
// from DEFAULT_DB when the analyzer names no store of its own.
ReadStoreTags store_tags_reader(const std::string &default_db);

} // namespace abitag::cli
