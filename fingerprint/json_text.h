// SPDX-License-Identifier: MIT
// JSON text for documents whose strings may hold any bytes: the one writer
// and the one reader of every JSON abitag prints or reads.
//
// File names, symbols, package fields and tag values are bytes, not always
// UTF-8, and nlohmann's dump() throws on the first byte that is not. Here a
// string is written as in PEP 383 ("surrogateescape"): valid UTF-8 is written
// as it is; each byte that is not part of a valid UTF-8 sequence (0x80-0xff)
// becomes the escape \udc80..\udcff, a lone low surrogate that valid UTF-8
// never holds, so the text is valid JSON and the mapping is unambiguous, in
// object keys too. Python reads it back with json.loads and
// s.encode("utf-8", "surrogateescape").
//
// The layout is dump()'s: json_text(doc, 2) == doc.dump(2) whenever dump()
// does not throw, so documents of UTF-8 strings print as they always did.
#pragma once

#include <string>
#include <string_view>

#include <llvm/Support/Error.h>
#include <nlohmann/json.hpp>

namespace abitag {

// DOCUMENT as JSON text; INDENT as in dump(): -1 for one line, else the
// spaces per level.
std::string json_text(const nlohmann::json &document, int indent = -1);
std::string json_text(const nlohmann::ordered_json &document, int indent = -1);

// The document TEXT holds: JSON (RFC 8259) with the escapes above read back
// as the bytes they stand for. An error says what is wrong and where
// ("line 3, column 17: ..."): malformed JSON, text that is not UTF-8, a
// \udcXX below \udc80 or another lone surrogate, nesting deeper than
// kMaxJsonDepth, a number out of range.
llvm::Expected<nlohmann::json> parse_json_text(std::string_view text);

// Deeper documents are refused rather than parsed by ever deeper recursion;
// abitag's own documents nest a few levels.
inline constexpr int kMaxJsonDepth = 512;

} // namespace abitag
