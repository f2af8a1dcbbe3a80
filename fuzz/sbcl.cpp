// What `abitag sbcl --json` reads of a file: the core header (plain cores,
// executables through the trailer), a runtime's build_id, the space
// directory and the heap walk to the foreign libraries (zstd decompressed).
#include "analyzers/sbcl/heap_walk.h"
#include "analyzers/sbcl/runtime_build_id.h"
#include "analyzers/sbcl/sbcl_file.h"
#include "analyzers/sbcl/space_directory.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

namespace {

void read_core(const sbcl::FileReader &file, const sbcl::SbclFile &identified, const std::uint8_t *data,
               std::size_t size) {
  auto spaces = sbcl::place_spaces(file, *identified.header);
  if (!spaces) {
    to_message(spaces.takeError());
    return;
  }
  auto libraries = sbcl::read_foreign_libraries(file, *identified.header, *spaces);
  if (!libraries)
    to_message(libraries.takeError());
  if (identified.kind == sbcl::FileKind::Executable) {
    auto id = sbcl::read_runtime_build_id(fuzz::buffer(data, size)->getMemBufferRef());
    if (!id)
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
  if (identified->header)
    read_core(file, *identified, data, size);
  return 0;
}
