// SPDX-License-Identifier: MIT
// Standard output as abitag writes it: every write checked, and the reason
// of the first failure kept for the one report at exit (cli/report.cpp),
// where stdout is also flushed and closed.
#pragma once

#include <string_view>

namespace abitag {

// Writes TEXT to stdout. False once a write to stdout has failed (this one or
// an earlier one): a command producing much output stops there.
bool write_stdout(std::string_view text);

// Flushes stdout, as write_stdout writes: false once a write has failed.
bool flush_stdout();

// The errno of the first failed write_stdout or flush_stdout, or 0. stdio drops what it could
// not write, so a later flush has no failure left to say why.
int stdout_write_errno();

} // namespace abitag
