// SPDX-License-Identifier: MIT
// How the qt analyzer shows a file and a finding: its --json objects and its
// --explain lines.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/qt/qt.h"

namespace abitag::qt {

nlohmann::ordered_json file_json(const QtFile &file);
nlohmann::ordered_json finding_json(const Finding &finding);

// One line per private API the file exports and per library it uses it from.
void explain_file(const QtFile &file, std::vector<std::string> &lines);

} // namespace abitag::qt
