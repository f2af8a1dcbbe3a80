// SPDX-License-Identifier: MIT
// The compiled-file path of `abitag ocaml` on arbitrary bytes: the magic
// number, the Marshal decoder (analyzers/ocaml/marshal.h) under each file
// layout, a .cmxs's ELF plugin header, --check of the file against the
// units it installs itself, and the --json object read back.
#include "analyzers/ocaml/ocaml.h"
#include "analyzers/ocaml/report.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  llvm::Expected<ocaml::OcamlFile> file = ocaml::read_ocaml_file(fuzz::bytes(data, size), fuzz::kInputPath);
  if (!file) {
    to_message(file.takeError()); // the line abitag would print
    return 0;
  }
  ocaml::Installed installed;
  ocaml::add_installed(*file, installed);
  for (const ocaml::Inconsistency &inconsistency : ocaml::check_file(*file, installed))
    if (inconsistency.installed_crc == inconsistency.imported_crc)
      __builtin_trap(); // an agreeing digest is no inconsistency
  nlohmann::ordered_json shown = ocaml::file_json(*file);
  shown["value"] = ocaml::interfaces_value({*file});
  fuzz::check_json_round_trip(shown);
  return 0;
}
