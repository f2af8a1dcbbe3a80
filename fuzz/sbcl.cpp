// SPDX-License-Identifier: MIT
// What `abitag sbcl --json` reads of a file: the core header (plain cores,
// executables through the trailer), a runtime's build_id, the space
// directory and the heap walk to the foreign libraries (zstd decompressed);
// and that what --json prints of it, under a file name made of the input's
// bytes, is JSON that reads back the same (build ids and namestrings are
// the input's bytes too).
#include "analyzers/sbcl/heap_walk.h"
#include "analyzers/sbcl/report.h"
#include "analyzers/sbcl/runtime_build_id.h"
#include "analyzers/sbcl/sbcl_file.h"
#include "analyzers/sbcl/space_directory.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

namespace {

void read_core(const sbcl::FileReader &file, sbcl::Report &report, const std::uint8_t *data, std::size_t size) {
  auto spaces = sbcl::place_spaces(file, *report.file.header);
  if (!spaces) {
    to_message(spaces.takeError());
    return;
  }
  auto libraries = sbcl::read_foreign_libraries(file, *report.file.header, *spaces);
  if (libraries)
    report.libraries = std::move(*libraries);
  else
    to_message(libraries.takeError());
  report.spaces = std::move(*spaces);
  if (report.file.kind == sbcl::FileKind::Executable) {
    auto id = sbcl::read_runtime_build_id(fuzz::buffer(data, size)->getMemBufferRef());
    if (id)
      report.embedded_runtime_id = std::move(*id);
    else
      to_message(id.takeError());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  sbcl::FileReader file = sbcl::FileReader::from_bytes(fuzz::bytes(data, size), fuzz::kInputPath);
  auto identified = sbcl::identify_file(file);
  if (!identified) {
    to_message(identified.takeError());
    return 0;
  }
  sbcl::Report report;
  report.path = fuzz::name_from(data, size);
  report.file = std::move(*identified);
  if (report.file.header)
    read_core(file, report, data, size);
  fuzz::check_json_round_trip(sbcl::report_json(report));
  return 0;
}
