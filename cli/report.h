// The one place abitag reports how a run ended: each failure as one line
// "abitag: MESSAGE" on stderr, and the exit code.
#pragma once

#include <llvm/Support/Error.h>

namespace abitag::cli {

// Prints each failure in ERROR on its own line and returns the exit code
// abitag ends with: the largest of their codes (ExitError's, else
// kExitBadInput), kExitOk for success.
int report_error(llvm::Error error);

} // namespace abitag::cli
