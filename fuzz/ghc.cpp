// SPDX-License-Identifier: MIT
// What `abitag ghc` parses: a register.sh (echo and printf forms), an
// InstalledPackageInfo .conf or a ghc-pkg dump stream, recognised by content
// as for a file on the command line; then every field as --field prints it,
// what --json prints of each unit (read back as the same JSON, under a file
// name made of the input's bytes), and the database check of --check over
// the units found.
#include "analyzers/ghc/package_db_check.h"
#include "analyzers/ghc/read_inputs.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  auto infos = ghc::parse_text(fuzz::bytes(data, size));
  if (!infos) {
    to_message(infos.takeError());
    return 0;
  }
  std::vector<ghc::Unit> units;
  for (ghc::PackageInfo &info : *infos) {
    for (const ghc::Field &field : info.fields)
      ghc::field_text(info, field.name);
    units.push_back({std::move(info), fuzz::name_from(data, size), 0});
    fuzz::check_json_round_trip(ghc::component_json(units.back()));
  }
  ghc::check_package_dbs(units);
  return 0;
}
