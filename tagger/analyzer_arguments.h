// SPDX-License-Identifier: MIT
// An analyzer's command line as `abitag tag PKG ANALYZER ...` takes it and
// the store keeps it (TagArguments), so that the value can be computed again.
#pragma once

#include <string>
#include <vector>

#include <llvm/Support/Error.h>

#include "fingerprint/analyzer.h"
#include "tagger/store.h"

namespace abitag::tagger {

// Parses ARGS (the analyzer's options and paths, in any order, as after
// `abitag ANALYZER`; --root too) into ANALYZER and INPUTS. Returns what to
// record: the analyzer's options as given, without --root, and the paths made
// absolute and, when under --root, seen from inside it ("/usr/lib/libfoo.so"
// for ROOT/usr/lib/libfoo.so). Errors are the parser's message (a usage error).
llvm::Expected<TagArguments> parse_analyzer_arguments(Analyzer &analyzer, const std::vector<std::string> &args,
                                                      AnalysisInputs &inputs);

} // namespace abitag::tagger
