// SPDX-License-Identifier: MIT
// Fields of the tab-separated outputs (`abitag symbols`, `abitag check
// --format lines`, `abitag analyzers`) and of the audit's text report: a
// file name or a symbol may hold any byte, a row must stay one line. A tab
// is written \t, a newline \n, a carriage return \r and a backslash \\; every
// other byte as it is.
#pragma once

#include <string>
#include <string_view>

namespace abitag {

void append_row_field(std::string &row, std::string_view field);
std::string row_field(std::string_view field);

} // namespace abitag
