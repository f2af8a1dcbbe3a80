// SPDX-License-Identifier: MIT
// Turning the paths named on the command line into library components:
// register scripts, single .conf files, ghc-pkg dump streams (`-` is
// stdin), and package database directories (every file that is one of
// those; package.cache is binary and never read).
#pragma once

#include <string>
#include <vector>

#include "analyzers/ghc/package_db_check.h"
#include "fingerprint/discover.h"

namespace abitag::ghc {

struct ReadResult {
  std::vector<Unit> units;     // Unit::db is the index of the named path
  std::vector<InputError> errors;
  std::vector<SkippedLink> links;
  std::size_t other_files = 0; // files under directories that are none of the above
};

ReadResult read_inputs(const std::vector<std::string> &paths, const std::string &root);

// The components described by TEXT (a register script, a .conf or a dump),
// or why TEXT is none of those or is malformed.
llvm::Expected<std::vector<PackageInfo>> parse_text(std::string_view text);

} // namespace abitag::ghc
