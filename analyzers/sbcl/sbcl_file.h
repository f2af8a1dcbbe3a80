// SPDX-License-Identifier: MIT
// What an input file is to SBCL, from its header page and trailer only.
#pragma once

#include <optional>
#include <string>

#include <llvm/Support/Error.h>

#include "analyzers/sbcl/core_header.h"
#include "analyzers/sbcl/file_reader.h"

namespace abitag::sbcl {

enum class FileKind {
  Core,       // a plain core, run with `sbcl --core`
  Executable, // a runtime with its core behind it (save-lisp-and-die :executable t)
  Runtime,    // an SBCL runtime: provides a build id
  Other,
};

const char *kind_name(FileKind kind);

struct SbclFile {
  FileKind kind = FileKind::Other;
  std::string build_id; // the one a core needs, or a runtime provides
  std::optional<CoreHeader> header; // cores and executables
  std::string unreadable_elf;       // Other: why an ELF file could not be searched for build_id
};

// Reads the first bytes and the trailer, then the header page if there is a
// core, and for an ELF file without one, its build_id symbol. Errors are
// about a core (it claims to be one and is broken); an ELF file libObject
// cannot read is Other, with the reason.
llvm::Expected<SbclFile> identify_file(const std::string &path);
// The same for a file already open.
llvm::Expected<SbclFile> identify_file(const FileReader &file);

} // namespace abitag::sbcl
