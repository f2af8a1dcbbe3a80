// SPDX-License-Identifier: MIT
#include "fingerprint/row_field.h"

namespace abitag {

void append_row_field(std::string &row, std::string_view field) {
  std::size_t copied = 0;
  for (std::size_t i = field.find_first_of("\t\n\r\\"); i != std::string_view::npos;
       i = field.find_first_of("\t\n\r\\", copied)) {
    row.append(field, copied, i - copied);
    row += '\\';
    row += field[i] == '\t' ? 't' : field[i] == '\n' ? 'n' : field[i] == '\r' ? 'r' : '\\';
    copied = i + 1;
  }
  row.append(field, copied);
}

std::string row_field(std::string_view field) {
  std::string out;
  append_row_field(out, field);
  return out;
}

} // namespace abitag
