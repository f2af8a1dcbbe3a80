// SPDX-License-Identifier: MIT
// What the sbcl analyzer knows of one input, and what --json prints of it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/sbcl/heap_walk.h"
#include "analyzers/sbcl/sbcl_file.h"
#include "analyzers/sbcl/space_directory.h"

namespace abitag::sbcl {

// Everything known about one input; what is filled depends on the mode.
struct Report {
  std::string path;
  SbclFile file;
  std::vector<PlacedSpace> spaces;
  std::optional<ForeignLibraries> libraries;
  std::optional<std::string> embedded_runtime_id; // an executable's own runtime
  std::string sha256;
  std::string error;
  bool skipped = false; // found in a walk and not an SBCL file
};

nlohmann::ordered_json report_json(const Report &r);

} // namespace abitag::sbcl
