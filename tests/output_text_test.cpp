// SPDX-License-Identifier: MIT
// The JSON writer and reader of fingerprint/json_text.h on every byte, and
// the escaping of tab-separated rows (fingerprint/row_field.h).
#include <catch2/catch.hpp>

#include "fingerprint/errors.h"
#include "fingerprint/json_text.h"
#include "fingerprint/row_field.h"

using namespace abitag;
using Json = nlohmann::json;

namespace {

// TEXT parsed, or the error's message prefixed with "error: ".
std::string parsed_string(const std::string &text) {
  llvm::Expected<Json> document = parse_json_text(text);
  if (!document)
    return "error: " + to_message(document.takeError());
  if (!document->is_string())
    return "error: not a string";
  return document->get<std::string>();
}

// The string BYTES written as JSON, and read back.
std::string round_trip(const std::string &bytes) { return parsed_string(json_text(Json(bytes))); }

std::string escaped_bytes(std::initializer_list<unsigned char> bytes) {
  std::string out;
  const char *hex = "0123456789abcdef";
  for (unsigned char b : bytes)
    out += std::string("\\udc") + hex[b >> 4] + hex[b & 0xf];
  return out;
}

} // namespace

TEST_CASE("json text: each of the 256 byte values alone, written and read back", "[json_text]") {
  for (int b = 0; b < 256; ++b) {
    std::string bytes(1, static_cast<char>(b));
    std::string text = json_text(Json(bytes));
    INFO("byte " << b << " written as " << text);
    CHECK(round_trip(bytes) == bytes);
    if (b >= 0x80)
      CHECK(text == "\"" + escaped_bytes({static_cast<unsigned char>(b)}) + "\"");
    else if (b >= 0x20 && b != '"' && b != '\\')
      CHECK(text == "\"" + bytes + "\"");
    else // what nlohmann's dump() writes for them
      CHECK(text == Json(bytes).dump());
  }
}

TEST_CASE("json text: every pair of bytes, and every byte after a valid sequence", "[json_text]") {
  std::size_t failures = 0;
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      std::string bytes{static_cast<char>(a), static_cast<char>(b)};
      failures += round_trip(bytes) != bytes;
      failures += round_trip("\xe2\x82\xac" + bytes + "\xf0\x9f\x98\x80") != "\xe2\x82\xac" + bytes + "\xf0\x9f\x98\x80";
    }
  CHECK(failures == 0);
}

TEST_CASE("json text: valid UTF-8 as it is, overlong, surrogate and truncated sequences byte by byte", "[json_text]") {
  struct Case {
    std::string bytes, written;
  };
  std::vector<Case> cases{
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"},
      {"\xc0\xaf", escaped_bytes({0xc0, 0xaf})},             // overlong '/'
      {"\xc1\xbf", escaped_bytes({0xc1, 0xbf})},             // overlong, 2 bytes
      {"\xe0\x80\xaf", escaped_bytes({0xe0, 0x80, 0xaf})},   // overlong, 3 bytes
      {"\xf0\x80\x80\xaf", escaped_bytes({0xf0, 0x80, 0x80, 0xaf})},
      {"\xed\xa0\x80", escaped_bytes({0xed, 0xa0, 0x80})},   // a surrogate encoded (CESU-8)
      {"\xed\xb3\xbf", escaped_bytes({0xed, 0xb3, 0xbf})},   // U+DCFF encoded: not our escape either
      {"\xf4\x90\x80\x80", escaped_bytes({0xf4, 0x90, 0x80, 0x80})}, // above U+10FFFF
      {"\xf5\x80\x80\x80", escaped_bytes({0xf5, 0x80, 0x80, 0x80})},
      {"\xe2\x82", escaped_bytes({0xe2, 0x82})},             // truncated at the end
      {"\xe2\x82x", escaped_bytes({0xe2, 0x82}) + "x"},      // truncated before ASCII
      {"\xf0\x9f\x98", escaped_bytes({0xf0, 0x9f, 0x98})},
      {"\xe2\xe2\x82\xac", escaped_bytes({0xe2}) + "\xe2\x82\xac"}, // a stray lead byte, then a valid sequence
      {"\xc3\xa9\xa9", "\xc3\xa9" + escaped_bytes({0xa9})},
  };
  std::string run; // every continuation byte, one after another
  for (int b = 0x80; b <= 0xbf; ++b)
    run += static_cast<char>(b);
  std::string all_escaped;
  for (int b = 0x80; b <= 0xbf; ++b)
    all_escaped += escaped_bytes({static_cast<unsigned char>(b)});
  cases.push_back({run, all_escaped});
  cases.push_back({"a" + run + "\xc3\xa9" + run, "a" + all_escaped + "\xc3\xa9" + all_escaped});
  for (const Case &c : cases) {
    INFO(c.written);
    CHECK(json_text(Json(c.bytes)) == "\"" + c.written + "\"");
    CHECK(round_trip(c.bytes) == c.bytes);
  }
}

TEST_CASE("json text: an escaped backslash before udc80 is text, and bad escapes say where", "[json_text]") {
  CHECK(parsed_string(R"("\\udc80")") == "\\udc80");
  CHECK(json_text(Json("\\udc80")) == R"("\\udc80")");
  CHECK(parsed_string(R"("\\\udc80")") == "\\\x80");
  CHECK(parsed_string(R"("\udcff\udc80")") == "\xff\x80");
  CHECK(parsed_string(R"("\uDCFF")") == "\xff");
  CHECK(parsed_string(R"("\u00e9\ud83d\ude00\/")") == "\xc3\xa9\xf0\x9f\x98\x80/");
  // A pair is a pair, even when its low half is one of the byte escapes.
  CHECK(parsed_string(R"("\ud800\udc80")") == "\xf0\x90\x82\x80");

  CHECK(parsed_string(R"("ab\udc7f")") ==
        "error: line 1, column 4: \\udc7f stands for no byte (the bytes that are not UTF-8 are \\udc80 to \\udcff)");
  CHECK(parsed_string(R"("\udc00")").rfind("error: line 1, column 2: \\udc00 stands for no byte", 0) == 0);
  CHECK(parsed_string("[\n  \"x\\ud800\"]") ==
        "error: line 2, column 5: a high surrogate \\ud800 without a low surrogate after it");
  CHECK(parsed_string(R"("\ud800\u0041")") ==
        "error: line 1, column 2: a high surrogate \\ud800 without a low surrogate after it");
  CHECK(parsed_string(R"("\udd00")") == "error: line 1, column 2: a lone low surrogate \\udd00");
  CHECK(parsed_string(R"("\ud")") == "error: line 1, column 2: \\u must be followed by four hex digits");
  CHECK(parsed_string(R"("\x")").rfind("error: line 1, column 2: an unknown escape", 0) == 0);
  CHECK(parsed_string("\"\xff\"").rfind("error: line 1, column 2: a byte that is not UTF-8: 0xff", 0) == 0);
  CHECK(parsed_string("\"a\tb\"").rfind("error: line 1, column 3: a control character", 0) == 0);
  CHECK(parsed_string("\"abc") == "error: line 1, column 1: a string that is not closed");
}

TEST_CASE("json text: bytes in object keys, nested, read back equal", "[json_text]") {
  nlohmann::ordered_json doc;
  doc["\xff\xfe:0"] = {{"k\x80", {{"value", "v\n\xc3\xa9\xc3"}}}, {"list", {"\xbf", "", 1, -2, 1.5, true, nullptr}}};
  doc["plain"] = nlohmann::ordered_json::object();
  for (int indent : {-1, 0, 2}) {
    llvm::Expected<Json> back = parse_json_text(json_text(doc, indent));
    REQUIRE(static_cast<bool>(back));
    CHECK(*back == Json(doc));
  }
}

TEST_CASE("json text: dump()'s layout and numbers for UTF-8 documents, and nlohmann's reading of them", "[json_text]") {
  const char *text = R"({"b": [1, -2, 18446744073709551615, -9223372036854775808, 0.1, 1e300, -0.0, 2.5e-8],
    "a": {"x": [], "y": {}, "z": [[], {}, [null, true, false]]}, "s": "tab\t nl\n q\" bs\\ \u0001 \u007f caf\u00e9",
    "big": 123456789012345678901234567890, "tiny": 1e-400, "e": 1E+2})";
  Json doc = Json::parse(text);
  llvm::Expected<Json> ours = parse_json_text(text);
  REQUIRE(static_cast<bool>(ours));
  CHECK(*ours == doc);
  CHECK((*ours)["b"][2].is_number_unsigned());
  CHECK((*ours)["b"][3].is_number_integer());
  CHECK((*ours)["big"].is_number_float());
  for (int indent : {-1, 0, 2, 4}) {
    CHECK(json_text(doc, indent) == doc.dump(indent));
    nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(text);
    CHECK(json_text(ordered, indent) == ordered.dump(indent));
  }
}

TEST_CASE("json text: malformed documents are refused with where", "[json_text]") {
  auto error = [](const std::string &text) {
    llvm::Expected<Json> doc = parse_json_text(text);
    return doc ? std::string("parsed") : to_message(doc.takeError());
  };
  CHECK(error("") == "line 1, column 1: the text ends where a value should be");
  CHECK(error("{\"a\": 1,}") == "line 1, column 9: expected a string, the name of a member");
  CHECK(error("[1 2]") == "line 1, column 4: expected ',' or ']' after an element");
  CHECK(error("{\"a\" 1}") == "line 1, column 6: expected ':' after the name of a member");
  CHECK(error("{} x") == "line 1, column 4: text after the JSON value");
  CHECK(error("-") == "line 1, column 1: a number without digits");
  CHECK(error("1.") == "line 1, column 1: a number without digits after its '.'");
  CHECK(error("1e400") == "line 1, column 1: the number 1e400 is out of range");
  CHECK(error("nul") == "line 1, column 1: not a JSON value");
  CHECK(error("\xef\xbb\xbf{}") == "parsed"); // a byte order mark, as nlohmann skips it
  CHECK(error(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')) == "parsed");
  CHECK(error(std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']')) ==
        "line 1, column " + std::to_string(kMaxJsonDepth + 1) + ": nested deeper than 512 levels");
  CHECK(error(std::string(100000, '[')).find("nested deeper") != std::string::npos);
}

TEST_CASE("row fields: tab, newline, carriage return and backslash escaped, other bytes as they are", "[row_field]") {
  CHECK(row_field("plain \xff name") == "plain \xff name");
  CHECK(row_field("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e");
  CHECK(row_field("\n\n") == "\\n\\n");
  CHECK(row_field("") == "");
  std::string row = "x\t";
  append_row_field(row, "\\t");
  CHECK(row == "x\t\\\\t");
}
