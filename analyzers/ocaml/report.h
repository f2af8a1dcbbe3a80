// SPDX-License-Identifier: MIT
// How the ocaml analyzer shows compiled files, findlib packages and the
// verdicts of --check: their --json objects and their --explain lines.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/ocaml/ocaml.h"

namespace abitag::ocaml {

nlohmann::ordered_json file_json(const OcamlFile &file);
nlohmann::ordered_json meta_json(const MetaPackage &package);
nlohmann::ordered_json inconsistency_json(const Inconsistency &inconsistency);

std::string explain_file(const OcamlFile &file);
std::string explain_meta(const MetaPackage &package);

// The tag: a digest of the sorted (unit, interface digest) pairs FILES
// define, or "none".
std::string interfaces_value(const std::vector<OcamlFile> &files);

} // namespace abitag::ocaml
