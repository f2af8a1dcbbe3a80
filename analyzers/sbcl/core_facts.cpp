// SPDX-License-Identifier: MIT
#include "analyzers/sbcl/core_facts.h"

#include "analyzers/sbcl/file_reader.h"
#include "analyzers/sbcl/runtime_build_id.h"

namespace abitag::sbcl {

llvm::Expected<CoreFacts> read_core_facts(const std::string &path, const SbclFile &file) {
  CoreFacts out;
  if (!file.header)
    return out;
  llvm::Expected<FileReader> reader = FileReader::open(path);
  if (!reader)
    return reader.takeError();
  llvm::Expected<std::vector<PlacedSpace>> spaces = place_spaces(*reader, *file.header);
  if (!spaces)
    return spaces.takeError();
  out.spaces = std::move(*spaces);
  llvm::Expected<ForeignLibraries> libraries = read_foreign_libraries(*reader, *file.header, out.spaces);
  if (!libraries)
    return libraries.takeError();
  out.libraries = std::move(*libraries);
  if (file.kind == FileKind::Executable) {
    llvm::Expected<std::optional<std::string>> id = read_runtime_build_id(path);
    if (id)
      out.embedded_runtime_id = *id;
    else
      llvm::consumeError(id.takeError()); // a runtime that is not ELF: nothing to compare
  }
  return out;
}

} // namespace abitag::sbcl
