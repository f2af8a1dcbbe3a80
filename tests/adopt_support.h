// SPDX-License-Identifier: MIT
// What the adopt tests share: a dpkg database written into a test root,
// adopt run through the binary, and `show` as lines without their times.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support.h"

namespace abitag::test {

// A dpkg database under ROOT listing PACKAGES (name -> the files it owns).
void write_dpkg_database(const std::string &root, const std::map<std::string, std::vector<std::string>> &packages);

// `abitag adopt ROOT --json ARGS --db DB`, which must succeed.
nlohmann::json adopt_json(const std::string &root, const std::string &db, std::vector<std::string> args = {});

// `abitag show PACKAGE --db DB` as lines, each record's time left out (it
// changes every run): "  tag  kmod=VALUE (kmod)", "  lock DEP KEY=VALUE".
std::vector<std::string> shown(const std::string &package, const std::string &db);

} // namespace abitag::test
