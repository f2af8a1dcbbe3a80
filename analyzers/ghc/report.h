// SPDX-License-Identifier: MIT
// What the ghc analyzer shows besides its value: the --json document and the
// --explain lines of a run that reads units (ids, fields, tags), and of
// --check, each made from what was read and found.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/ghc/package_db_check.h"
#include "analyzers/ghc/read_inputs.h"

namespace abitag::ghc {

// Whether a unit is printed: main libraries always, sub-libraries with --all.
bool unit_shown(const Unit &unit, bool all);

nlohmann::ordered_json units_json(const ReadResult &read, const std::string &value);
std::vector<std::string> units_explanation(const ReadResult &read, bool all);

// --check: the value's lines (broken units, then the rebuild order), and the
// rest of what it shows.
std::vector<std::string> check_lines(const ReadResult &read, const CheckResult &result, std::size_t databases);
nlohmann::ordered_json check_json(const ReadResult &read, const CheckResult &result,
                                  const std::vector<std::string> &databases, const std::string &value);
std::vector<std::string> check_explanation(const ReadResult &read, const std::vector<std::string> &databases);

} // namespace abitag::ghc
