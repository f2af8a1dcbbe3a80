// SPDX-License-Identifier: MIT
#include "analyzers/ghc/register_script.h"

#include "fingerprint/errors.h"

namespace abitag::ghc {
namespace {

constexpr std::string_view kEcho = "echo '";
constexpr std::string_view kPrintf = "printf '%s' '";

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::size_t skip_blanks(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
    ++i;
  return i;
}

int line_of(std::string_view text, std::size_t offset) {
  int line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    line += text[i] == '\n';
  return line;
}

// The length of the registration keyword at POS (`echo '` or
// `printf '%s' '`, without the opening quote), or 0.
std::size_t registration_at(std::string_view text, std::size_t pos) {
  std::string_view rest = text.substr(pos);
  if (starts_with(rest, kEcho))
    return kEcho.size() - 1;
  if (starts_with(rest, kPrintf))
    return kPrintf.size() - 1;
  return 0;
}

// Reads the shell word of single-quoted pieces starting at the quote at
// *POS: 'abc'\''def' is abc'def. Leaves *POS after the word.
llvm::Expected<std::string> read_quoted(std::string_view text, std::size_t *pos) {
  std::size_t open = *pos;
  std::string word;
  std::size_t i = open;
  while (true) {
    std::size_t close = text.find('\'', i + 1);
    if (close == std::string_view::npos)
      return make_error("the quote opened on line " + std::to_string(line_of(text, open)) +
                        " never closes");
    word.append(text.substr(i + 1, close - i - 1));
    if (text.substr(close, 4) == "'\\''") { // '\'' : an escaped quote, then reopen
      word += '\'';
      i = close + 3;
      continue;
    }
    *pos = close + 1;
    return word;
  }
}

// Moves past the rest of the line at *POS, skipping over quoted words (a
// quoted value may hold newlines). Fails on a quote that never closes.
llvm::Error skip_line(std::string_view text, std::size_t *pos) {
  std::size_t i = *pos;
  while (i < text.size() && text[i] != '\n') {
    if (text[i] == '\'') {
      llvm::Expected<std::string> word = read_quoted(text, &i);
      if (!word)
        return word.takeError();
      continue;
    }
    if (text[i] == '"') {
      std::size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos)
        return make_error("the double quote opened on line " + std::to_string(line_of(text, i)) +
                          " never closes");
      i = close + 1;
      continue;
    }
    ++i;
  }
  *pos = i < text.size() ? i + 1 : i;
  return llvm::Error::success();
}

} // namespace

bool has_registration(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (registration_at(text, pos))
      return true;
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos)
      break;
    pos = end + 1;
  }
  return false;
}

llvm::Expected<std::vector<std::string>> extract_registrations(std::string_view script) {
  std::vector<std::string> payloads;
  std::size_t pos = 0;
  while (pos < script.size()) {
    // Cabal writes the command at the start of a line; an indented `echo '`
    // is part of something else.
    std::size_t start = pos;
    std::size_t keyword = registration_at(script, start);
    if (keyword == 0) {
      if (llvm::Error e = skip_line(script, &pos))
        return e;
      continue;
    }
    std::size_t quote = start + keyword;
    llvm::Expected<std::string> payload = read_quoted(script, &quote);
    if (!payload)
      return payload.takeError();
    std::size_t pipe = skip_blanks(script, quote);
    if (pipe >= script.size() || script[pipe] != '|')
      return make_error("the package description ending on line " +
                        std::to_string(line_of(script, quote)) + " is not piped into ghc-pkg");
    payloads.push_back(std::move(*payload));
    pos = pipe + 1;
    if (llvm::Error e = skip_line(script, &pos))
      return e;
  }
  if (payloads.empty())
    return make_error("no `echo '...' | ghc-pkg` registration in the script");
  return payloads;
}

bool looks_like_register_script(std::string_view head) {
  return starts_with(head, "#!") || registration_at(head, 0) != 0 || starts_with(head, "export ") ||
         starts_with(head, "unset ") || starts_with(head, "cd ");
}

} // namespace abitag::ghc
