// SPDX-License-Identifier: MIT
#include "fingerprint/json_text.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "fingerprint/errors.h"

namespace abitag {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool between(unsigned char c, unsigned char low, unsigned char high) { return c >= low && c <= high; }

// The length of the valid UTF-8 sequence starting at TEXT[AT] (its first
// byte is 0x80 or above), or 0 when there is none: the well-formed sequences
// of the Unicode standard (table 3-7), so no overlong forms, no surrogates,
// nothing above U+10FFFF, nothing truncated.
std::size_t utf8_length(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t i) -> unsigned char { return at + i < text.size() ? text[at + i] : 0; };
  unsigned char lead = byte(0);
  auto tail = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i)
      if (!between(byte(i), 0x80, 0xbf))
        return false;
    return true;
  };
  if (between(lead, 0xc2, 0xdf))
    return tail(1, 2) ? 2 : 0;
  if (between(lead, 0xe0, 0xef)) {
    unsigned char low = lead == 0xe0 ? 0xa0 : 0x80, high = lead == 0xed ? 0x9f : 0xbf;
    return between(byte(1), low, high) && tail(2, 3) ? 3 : 0;
  }
  if (between(lead, 0xf0, 0xf4)) {
    unsigned char low = lead == 0xf0 ? 0x90 : 0x80, high = lead == 0xf4 ? 0x8f : 0xbf;
    return between(byte(1), low, high) && tail(2, 4) ? 4 : 0;
  }
  return 0;
}

void append_escape(std::string &out, unsigned char c) {
  switch (c) {
  case '"': out += "\\\""; return;
  case '\\': out += "\\\\"; return;
  case '\b': out += "\\b"; return;
  case '\f': out += "\\f"; return;
  case '\n': out += "\\n"; return;
  case '\r': out += "\\r"; return;
  case '\t': out += "\\t"; return;
  }
  // A control character as dump() writes it (\u001f), or a byte that is not
  // UTF-8 as its lone surrogate (\udcff).
  out += c < 0x80 ? "\\u00" : "\\udc";
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

void append_string(std::string &out, std::string_view text) {
  out += '"';
  std::size_t copied = 0, i = 0;
  while (i < text.size()) {
    unsigned char c = text[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (std::size_t n = c >= 0x80 ? utf8_length(text, i) : 0) {
      i += n;
      continue;
    }
    out.append(text, copied, i - copied);
    append_escape(out, c);
    copied = ++i;
  }
  out.append(text, copied);
  out += '"';
}

template <class Json> class Writer {
public:
  Writer(std::string &out, int indent) : out_(out), indent_(indent) {}

  void value(const Json &v, int level) {
    switch (v.type()) {
    case nlohmann::detail::value_t::object: object(v.template get_ref<const typename Json::object_t &>(), level); return;
    case nlohmann::detail::value_t::array: array(v.template get_ref<const typename Json::array_t &>(), level); return;
    case nlohmann::detail::value_t::string: append_string(out_, v.template get_ref<const std::string &>()); return;
    case nlohmann::detail::value_t::number_integer: number(v.template get<std::int64_t>()); return;
    case nlohmann::detail::value_t::number_unsigned: number(v.template get<std::uint64_t>()); return;
    case nlohmann::detail::value_t::boolean: out_ += v.template get<bool>() ? "true" : "false"; return;
    case nlohmann::detail::value_t::null: out_ += "null"; return;
    default: out_ += v.dump(); return; // a float (dump()'s shortest form), binary: no strings inside
    }
  }

private:
  void object(const typename Json::object_t &members, int level) {
    if (members.empty()) {
      out_ += "{}";
      return;
    }
    out_ += '{';
    bool first = true;
    for (const auto &[key, member] : members) {
      out_ += first ? "" : ",";
      first = false;
      line(level + 1);
      append_string(out_, key);
      out_ += indent_ < 0 ? ":" : ": ";
      value(member, level + 1);
    }
    line(level);
    out_ += '}';
  }

  void array(const typename Json::array_t &items, int level) {
    if (items.empty()) {
      out_ += "[]";
      return;
    }
    out_ += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      out_ += i ? "," : "";
      line(level + 1);
      value(items[i], level + 1);
    }
    line(level);
    out_ += ']';
  }

  template <class Integer> void number(Integer n) {
    char digits[24];
    out_.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
  }

  void line(int level) {
    if (indent_ < 0)
      return;
    out_ += '\n';
    out_.append(static_cast<std::size_t>(indent_) * static_cast<std::size_t>(level), ' ');
  }

  std::string &out_;
  int indent_;
};

template <class Json> std::string write(const Json &document, int indent) {
  std::string out;
  Writer<Json>(out, indent).value(document, 0);
  return out;
}

// The reader: recursive descent over TEXT, failing at the first error with
// its offset. Each function starts at the first byte of what it reads.
class Reader {
public:
  explicit Reader(std::string_view text) : text_(text) {}

  llvm::Expected<nlohmann::json> document() {
    if (text_.substr(0, 3) == "\xef\xbb\xbf") // a byte order mark, which nlohmann's parser skips too
      at_ = 3;
    nlohmann::json out;
    if (value(out, 1)) {
      blank();
      if (at_ == text_.size())
        return out;
      fail(at_, "text after the JSON value");
    }
    return make_error(where(error_at_) + ": " + error_);
  }

private:
  bool value(nlohmann::json &out, int depth) {
    if (depth > kMaxJsonDepth)
      return fail(at_, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    blank();
    switch (at_ < text_.size() ? text_[at_] : '\0') {
    case '{': return object(out, depth);
    case '[': return array(out, depth);
    case '"': {
      std::string text;
      if (!string(text))
        return false;
      out = std::move(text);
      return true;
    }
    case 't': return literal("true", true, out);
    case 'f': return literal("false", false, out);
    case 'n': return literal("null", nullptr, out);
    default:
      if (at_ < text_.size() && (text_[at_] == '-' || between(text_[at_], '0', '9')))
        return number(out);
      return fail(at_, at_ < text_.size() ? "not a JSON value" : "the text ends where a value should be");
    }
  }

  bool object(nlohmann::json &out, int depth) {
    out = nlohmann::json::object();
    nlohmann::json::object_t &members = out.get_ref<nlohmann::json::object_t &>();
    if (opens_empty('}'))
      return true;
    for (;;) {
      if (blank() != '"')
        return fail(at_, "expected a string, the name of a member");
      std::string key;
      if (!string(key))
        return false;
      if (blank() != ':')
        return fail(at_, "expected ':' after the name of a member");
      ++at_;
      nlohmann::json member;
      if (!value(member, depth + 1))
        return false;
      members[std::move(key)] = std::move(member); // a repeated name: the last one wins, as in nlohmann
      char next = blank();
      ++at_;
      if (next == '}')
        return true;
      if (next != ',')
        return fail(at_ - 1, "expected ',' or '}' after a member");
    }
  }

  bool array(nlohmann::json &out, int depth) {
    out = nlohmann::json::array();
    nlohmann::json::array_t &items = out.get_ref<nlohmann::json::array_t &>();
    if (opens_empty(']'))
      return true;
    for (;;) {
      items.emplace_back();
      if (!value(items.back(), depth + 1))
        return false;
      char next = blank();
      ++at_;
      if (next == ']')
        return true;
      if (next != ',')
        return fail(at_ - 1, "expected ',' or ']' after an element");
    }
  }

  // Past the opening bracket; whether CLOSE follows it at once (then past that too).
  bool opens_empty(char close) {
    ++at_;
    if (blank() != close)
      return false;
    ++at_;
    return true;
  }

  bool string(std::string &out);
  bool escape(std::size_t &at, std::string &out);
  bool unicode_escape(std::size_t &at, std::string &out);
  bool number(nlohmann::json &out);

  bool literal(std::string_view word, nlohmann::json value, nlohmann::json &out) {
    if (text_.substr(at_, word.size()) != word)
      return fail(at_, "not a JSON value");
    at_ += word.size();
    out = std::move(value);
    return true;
  }

  // Skips white space; the byte after it, or '\0' at the end.
  char blank() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
    return at_ < text_.size() ? text_[at_] : '\0';
  }

  bool fail(std::size_t at, std::string what) {
    error_at_ = at;
    error_ = std::move(what);
    return false;
  }

  // "line L, column C" of offset AT, both from 1, the column in bytes.
  std::string where(std::size_t at) const {
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < at && i < text_.size(); ++i)
      if (text_[i] == '\n')
        ++line, line_start = i + 1;
    return "line " + std::to_string(line) + ", column " + std::to_string(at - line_start + 1);
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t error_at_ = 0;
  std::string error_;
};

bool Reader::string(std::string &out) {
  std::size_t start = at_, i = at_ + 1, copied = i;
  for (;;) {
    if (i >= text_.size())
      return fail(start, "a string that is not closed");
    unsigned char c = text_[i];
    if (c == '"')
      break;
    if (c < 0x20)
      return fail(i, "a control character in a string (it must be written as an escape)");
    if (c >= 0x80) {
      std::size_t n = utf8_length(text_, i);
      if (!n)
        return fail(i, std::string("a byte that is not UTF-8: 0x") + kHex[c >> 4] + kHex[c & 0xf] +
                           " (bytes that are not UTF-8 are written \\udc80 to \\udcff)");
      i += n;
      continue;
    }
    if (c != '\\') {
      ++i;
      continue;
    }
    out.append(text_, copied, i - copied);
    if (!escape(i, out))
      return false;
    copied = i;
  }
  out.append(text_, copied, i - copied);
  at_ = i + 1;
  return true;
}

// The escape at AT (a backslash): appends what it stands for, moves AT past it.
bool Reader::escape(std::size_t &at, std::string &out) {
  char c = at + 1 < text_.size() ? text_[at + 1] : '\0';
  const char *plain = "\"\\/bfnrt", *meant = "\"\\/\b\f\n\r\t";
  if (const char *found = c ? std::strchr(plain, c) : nullptr) {
    out += meant[found - plain];
    at += 2;
    return true;
  }
  if (c == 'u')
    return unicode_escape(at, out);
  return fail(at, "an unknown escape (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
}

void append_utf8(std::string &out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | code >> 6);
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xe0 | code >> 12);
    out += static_cast<char>(0x80 | (code >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | code >> 18);
    out += static_cast<char>(0x80 | (code >> 12 & 0x3f));
    out += static_cast<char>(0x80 | (code >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

// The four hex digits of a \u escape at AT, or -1.
long hex4(std::string_view text, std::size_t at) {
  if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u')
    return -1;
  long code = 0;
  for (std::size_t i = at + 2; i < at + 6; ++i) {
    const char *digit = std::strchr(kHex, std::tolower(static_cast<unsigned char>(text[i])));
    if (!digit || !*digit)
      return -1;
    code = code * 16 + (digit - kHex);
  }
  return code;
}

bool Reader::unicode_escape(std::size_t &at, std::string &out) {
  long code = hex4(text_, at);
  if (code < 0)
    return fail(at, "\\u must be followed by four hex digits");
  if (code >= 0xdc80 && code <= 0xdcff) { // a byte that is not UTF-8
    out += static_cast<char>(code - 0xdc00);
  } else if (code >= 0xdc00 && code <= 0xdc7f) {
    return fail(at, "\\u" + std::string(text_.substr(at + 2, 4)) +
                        " stands for no byte (the bytes that are not UTF-8 are \\udc80 to \\udcff)");
  } else if (code >= 0xdc00 && code <= 0xdfff) {
    return fail(at, "a lone low surrogate \\u" + std::string(text_.substr(at + 2, 4)));
  } else if (code >= 0xd800 && code <= 0xdbff) {
    long low = hex4(text_, at + 6);
    if (low < 0xdc00 || low > 0xdfff)
      return fail(at, "a high surrogate \\u" + std::string(text_.substr(at + 2, 4)) +
                          " without a low surrogate after it");
    append_utf8(out, 0x10000 + ((static_cast<std::uint32_t>(code) - 0xd800) << 10) +
                         (static_cast<std::uint32_t>(low) - 0xdc00));
    at += 6;
  } else {
    append_utf8(out, static_cast<std::uint32_t>(code));
  }
  at += 6;
  return true;
}

// A number as nlohmann reads one: an integer when it has no fraction or
// exponent and fits 64 bits (unsigned unless negative), else a double.
bool Reader::number(nlohmann::json &out) {
  std::size_t start = at_;
  auto digits = [&] {
    std::size_t first = at_;
    while (at_ < text_.size() && between(text_[at_], '0', '9'))
      ++at_;
    return at_ > first;
  };
  auto next_is = [&](const char *set) { return at_ < text_.size() && text_[at_] && std::strchr(set, text_[at_]); };
  if (next_is("-"))
    ++at_;
  if (next_is("0"))
    ++at_;
  else if (!digits())
    return fail(start, "a number without digits");
  bool integer = true;
  if (next_is(".")) {
    ++at_, integer = false;
    if (!digits())
      return fail(start, "a number without digits after its '.'");
  }
  if (next_is("eE")) {
    ++at_, integer = false;
    if (next_is("+-"))
      ++at_;
    if (!digits())
      return fail(start, "a number without digits in its exponent");
  }
  std::string token(text_.substr(start, at_ - start));
  const char *end = token.data() + token.size();
  std::int64_t signed_value = 0;
  std::uint64_t unsigned_value = 0;
  auto whole = [&](std::from_chars_result read) { return read.ec == std::errc() && read.ptr == end; };
  if (integer && token[0] == '-' && whole(std::from_chars(token.data(), end, signed_value)))
    out = signed_value;
  else if (integer && token[0] != '-' && whole(std::from_chars(token.data(), end, unsigned_value)))
    out = unsigned_value;
  else if (double value = std::strtod(token.c_str(), nullptr); std::isfinite(value))
    out = value;
  else
    return fail(start, "the number " + token + " is out of range");
  return true;
}

} // namespace

std::string json_text(const nlohmann::json &document, int indent) { return write(document, indent); }
std::string json_text(const nlohmann::ordered_json &document, int indent) { return write(document, indent); }

llvm::Expected<nlohmann::json> parse_json_text(std::string_view text) { return Reader(text).document(); }

} // namespace abitag
