// SPDX-License-Identifier: MIT
#include "analyzers/inputs/report.h"

namespace abitag::inputs {

nlohmann::ordered_json inputs_json(const std::vector<Input> &inputs, const std::string &fingerprint) {
  nlohmann::ordered_json out;
  out["value"] = fingerprint;
  out["inputs"] = nlohmann::ordered_json::array();
  for (const Input &input : inputs)
    out["inputs"].push_back({{"kind", input.kind}, {"name", input.name}, {"sha256", input.hash}});
  return out;
}

std::vector<std::string> inputs_explanation(const std::vector<Input> &inputs) {
  std::vector<std::string> lines;
  for (const Input &input : inputs)
    lines.push_back(input.kind + " " + input.name + " " + input.hash);
  return lines;
}

} // namespace abitag::inputs
