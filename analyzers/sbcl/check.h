// `abitag sbcl --check`: would each core start? Its build id must equal the
// runtime's (a byte-exact compare in the runtime's load_core_file), and every
// foreign library it reopens before any user code runs must load.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyzers/sbcl/heap_walk.h"
#include "analyzers/sbcl/library_search.h"
#include "analyzers/sbcl/sbcl_file.h"

namespace abitag::sbcl {

struct Runtime {
  std::string path;
  std::string build_id;
};

struct RuntimeLookup {
  std::optional<Runtime> runtime;
  std::string input_error;  // --runtime names a file that is not usable (exit 3)
  std::string failure;      // no runtime on the system (exit 4)
};

// The runtime that `sbcl --core CORE` would use: OPTION when given (a
// runtime, or a core whose build id stands for its runtime's), else the
// `sbcl` on PATH, else $SBCL_HOME/sbcl.core, else /usr/bin/sbcl.
RuntimeLookup find_runtime(const std::string &option);

struct CoreCheck {
  std::vector<std::string> problems; // each a certain failure to start
  std::vector<std::string> notes;    // what could not be decided
};

// EMBEDDED_RUNTIME_ID is the build id of an executable's own runtime part.
CoreCheck check_core(const std::string &path, const SbclFile &file,
                     const std::optional<std::string> &embedded_runtime_id,
                     const ForeignLibraries &libraries, const Runtime *runtime,
                     const LibrarySearch &search = {});

} // namespace abitag::sbcl
