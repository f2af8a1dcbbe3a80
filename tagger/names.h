// SPDX-License-Identifier: MIT
// What a package id, a key and a value may contain. Ids and keys are single
// words so that every output format (one package a line, cave arguments,
// "KEY=VALUE") stays parseable; values are never empty and have no line breaks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace abitag::tagger {

// Why TEXT cannot be a package id or key ("package id must not be empty"), or none.
std::optional<std::string> invalid_word(std::string_view what, std::string_view text);
// Why TEXT cannot be a tag value, or none.
std::optional<std::string> invalid_value(std::string_view text);

} // namespace abitag::tagger
