// SPDX-License-Identifier: MIT
#include "tagger/names.h"

#include <algorithm>

using namespace std::literals;

namespace abitag::tagger {

std::optional<std::string> invalid_word(std::string_view what, std::string_view text) {
  if (text.empty())
    return std::string(what) + " must not be empty";
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0'; };
  if (std::any_of(text.begin(), text.end(), blank))
    return std::string(what) + " must not contain blanks: '" + std::string(text) + "'";
  return std::nullopt;
}

std::optional<std::string> invalid_value(std::string_view text) {
  // An empty value would be a tag saying nothing; `lock` takes it as the
  // dependency's value, and every later value would look like a change.
  if (text.empty())
    return "a value must not be empty";
  if (text.find_first_of("\n\r\0"sv) != std::string_view::npos)
    return "a value must not contain line breaks";
  return std::nullopt;
}

} // namespace abitag::tagger
