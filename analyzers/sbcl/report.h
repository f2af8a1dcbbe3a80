// SPDX-License-Identifier: MIT
// What the sbcl analyzer knows of its inputs, and how it is shown: the
// analysis fills the structs, these functions make the --json document and
// the --explain lines of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/sbcl/check.h"
#include "analyzers/sbcl/heap_walk.h"
#include "analyzers/sbcl/sbcl_file.h"
#include "analyzers/sbcl/space_directory.h"
#include "fingerprint/discover.h"

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

// A run without --check: the value (FIELD of each file) and the files.
struct Description {
  std::string field;
  std::string value;
  std::vector<const Report *> files;
  std::vector<SkippedLink> links;
  std::size_t other_files = 0;
};
nlohmann::ordered_json description_json(const Description &description);
std::vector<std::string> description_explanation(const Description &description);

// --check: each core with what keeps it from starting, against RUNTIME.
struct CheckedCore {
  const Report *report = nullptr;
  CoreCheck result;
};
struct CheckRun {
  const Runtime *runtime = nullptr; // none when only runtimes were given
  std::vector<CheckedCore> cores;
};
std::vector<std::string> problem_lines(const CheckRun &run); // the value
nlohmann::ordered_json check_run_json(const CheckRun &run, const std::string &value);
std::vector<std::string> check_explanation(const CheckRun &run);

} // namespace abitag::sbcl
