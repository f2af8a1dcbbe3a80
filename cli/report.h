// SPDX-License-Identifier: MIT
// The one place abitag reports how a run ended: each failure as one line
// "abitag: MESSAGE" on stderr, and the exit code; and the one place that
// prints that prefix for what is said along the way.
#pragma once

#include <string>

#include <llvm/Support/Error.h>

namespace abitag::cli {

// Prints each failure in ERROR on its own line and returns the exit code
// abitag ends with: the largest of their codes (ExitError's, else
// kExitBadInput), kExitOk for success.
int report_error(llvm::Error error);

// Says one thing on stderr that does not end the run ("abitag: MESSAGE"):
// a finding printed beside the output, a damaged entry that was passed over.
void report_note(const std::string &message);

// Flushes and closes stdout. When a write to it failed, says why ("abitag:
// write error: REASON") and returns kExitEnvironment; a reader that closed
// the pipe early ends abitag quietly, as it ends other tools (who are killed
// by SIGPIPE unless they ignore it). Otherwise returns CODE.
int finish_output(int code);

} // namespace abitag::cli
