// SPDX-License-Identifier: MIT
// What the qt analyzer found in one run, and how it is shown: the analysis
// fills the structs, these functions make the --json document and the
// --explain lines of them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/qt/qt.h"
#include "fingerprint/discover.h"

namespace abitag::qt {

nlohmann::ordered_json file_json(const QtFile &file);
nlohmann::ordered_json finding_json(const Finding &finding);

// One line per private API the file exports and per library it uses it from.
void explain_file(const QtFile &file, std::vector<std::string> &lines);

// A run without --check: the files that export or use the private API.
struct Description {
  std::string value;
  const std::vector<QtFile> *files = nullptr;
  std::size_t other_elf = 0; // ELF files without anything of Qt's private API
  std::vector<SkippedLink> links;
  std::size_t other_files = 0;
};
nlohmann::ordered_json description_json(const Description &description);
std::vector<std::string> description_explanation(const Description &description);

// --check: each user of the private API, what is wrong, and for --explain
// the uses that are right with the library that serves them.
struct GoodUse {
  std::string library, tag, path, version; // version: as provided_version describes it
};
struct CheckedFile {
  const QtFile *file = nullptr;
  std::vector<Finding> findings;
  std::vector<GoodUse> good;
};
struct CheckRun {
  std::string root;
  std::vector<CheckedFile> files;
};
std::vector<std::string> finding_lines(const CheckRun &run); // the value
nlohmann::ordered_json check_run_json(const CheckRun &run, const std::string &value);
std::vector<std::string> check_explanation(const CheckRun &run);

} // namespace abitag::qt
