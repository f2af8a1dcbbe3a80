// SPDX-License-Identifier: MIT
// What the cxxabi analyzer found in the files of one run, and the two ways
// it is shown besides the value: the --json document and the --explain lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/cxxabi/file_verdict.h"
#include "fingerprint/discover.h"

namespace abitag::cxxabi {

struct CxxabiResult {
  std::string scheme; // "seed" or "abi"
  std::string value;
  std::string compiler; // the compiler the seed scheme hashed; empty when none was
  std::uint8_t families = 0; // Family bits of every file's tag families
  std::vector<FileVerdict> verdicts;
  std::vector<SkippedLink> links;
  std::vector<InputFile> files; // what was read, for the counts
  std::size_t other_files = 0;
};

// The --scheme abi value: "compat" or the families, in a fixed order.
std::string abi_scheme_value(std::uint8_t families);

nlohmann::ordered_json result_json(const CxxabiResult &result);
std::vector<std::string> explanation_lines(const CxxabiResult &result);

} // namespace abitag::cxxabi
