// SPDX-License-Identifier: MIT
// The inputs analyzer's --json document and --explain lines, made from the
// inputs it read.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/inputs/input_list.h"

namespace abitag::inputs {

nlohmann::ordered_json inputs_json(const std::vector<Input> &inputs, const std::string &fingerprint);
// One line per input, "KIND NAME HASH", in the order they were named.
std::vector<std::string> inputs_explanation(const std::vector<Input> &inputs);

} // namespace abitag::inputs
