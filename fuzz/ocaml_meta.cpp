// SPDX-License-Identifier: MIT
// findlib's META parser of `abitag ocaml` on arbitrary bytes: the packages
// and subpackages it defines, what they require, and which requirements a
// root holding only those packages lacks.
#include <map>

#include "analyzers/ocaml/ocaml.h"
#include "analyzers/ocaml/report.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::vector<ocaml::MetaPackage> packages =
      ocaml::parse_meta(fuzz::bytes(data, size), fuzz::name_from(data, size), fuzz::kInputPath);
  if (packages.empty())
    __builtin_trap(); // a META file defines at least the package it is for
  std::map<std::string, std::string> known;
  for (const ocaml::MetaPackage &package : packages)
    known.emplace(package.name, package.path);
  nlohmann::ordered_json shown = nlohmann::ordered_json::array();
  for (const ocaml::MetaPackage &package : packages) {
    for (const std::string &missing : ocaml::missing_requires(package, known))
      if (known.count(missing))
        __builtin_trap(); // a package the file defines is not missing
    shown.push_back(ocaml::meta_json(package));
  }
  fuzz::check_json_round_trip(shown);
  return 0;
}
