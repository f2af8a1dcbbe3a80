// SPDX-License-Identifier: MIT
// `abitag sbcl --check`: would each core start? Its build id must equal the
// runtime's (a byte-exact compare in the runtime's load_core_file), and every
// foreign library it reopens before any user code runs must load. The
// runtime and the libraries are looked for inside a root, so an image or a
// chroot is judged by what it holds (the audit's sbcl section).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyzers/sbcl/heap_walk.h"
#include "analyzers/sbcl/library_search.h"
#include "analyzers/sbcl/sbcl_file.h"

namespace abitag::sbcl {

struct Runtime {
  std::string path; // as the system names it (inside the root), or --runtime as given
  std::string build_id;
};

struct RuntimeLookup {
  std::optional<Runtime> runtime;
  std::string input_error;  // --runtime names a file that is not usable (exit 3)
  std::string failure;      // no runtime on the system (exit 4)
};

// The runtime that `sbcl --core CORE` would use: OPTION when given (a
// runtime, or a core whose build id stands for its runtime's). Else, on this
// system (ROOT "/"), the `sbcl` on PATH, else /usr/bin/sbcl; inside another
// ROOT, ROOT/usr/local/bin/sbcl, else ROOT/usr/bin/sbcl (the default PATH,
// never the host's). An `sbcl` that is a wrapper script stands for its
// runtime through the core the runtime would load: $SBCL_HOME/sbcl.core (on
// "/" only), else ../lib/sbcl/sbcl.core from the script's real folder, else
// sbcl.core beside it (SBCL's own search, checked on 2.2.9).
// ROOT is a canonical path (the audit's, or --root through realpath).
RuntimeLookup find_runtime(const std::string &option, const std::string &root = "/");

// The paths `find_runtime` looks at inside ROOT (not "/"), for messages.
const char *runtime_places();

enum class ProblemKind {
  BuildIdMismatch,  // the runtime refuses the core
  MissingLibrary,   // a recorded absolute path is not there
  UnresolvedSoname, // a recorded soname the dynamic linker does not find
};

struct Problem {
  ProblemKind kind;
  std::string detail;  // one sentence, without the core's path
  std::string library; // the foreign library concerned, if any
};

struct CoreCheck {
  std::vector<Problem> problems;  // each a certain failure to start
  std::vector<std::string> notes; // what could not be decided, without the core's path
};

// EMBEDDED_RUNTIME_ID is the build id of an executable's own runtime part.
// Absolute library paths are looked up inside SEARCH.root.
CoreCheck check_core(const SbclFile &file, const std::optional<std::string> &embedded_runtime_id,
                     const ForeignLibraries &libraries, const Runtime *runtime,
                     const LibrarySearch &search = {});

} // namespace abitag::sbcl
