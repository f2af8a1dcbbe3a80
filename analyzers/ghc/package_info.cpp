// SPDX-License-Identifier: MIT
#include "analyzers/ghc/package_info.h"

#include <algorithm>
#include <array>

#include "fingerprint/errors.h"

namespace abitag::ghc {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_blank(s.front()) || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Calls line(text) for each line of TEXT, without the newline.
template <typename F> void for_each_line(std::string_view text, F &&line) {
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    line(text.substr(0, end));
    if (end == std::string_view::npos)
      break;
    text.remove_prefix(end + 1);
  }
}

bool is_comment(std::string_view trimmed) { return trimmed.substr(0, 2) == "--"; }

// The length of the field name at the start of LINE when it is `name:`
// (spaces allowed before the colon), else 0.
std::size_t field_name_length(std::string_view line, std::size_t *colon) {
  std::size_t n = 0;
  while (n < line.size() && is_name_char(line[n]))
    ++n;
  std::size_t c = n;
  while (c < line.size() && is_blank(line[c]))
    ++c;
  if (n == 0 || c == line.size() || line[c] != ':')
    return 0;
  *colon = c;
  return n;
}

const std::string *last_value(const std::vector<Field> &fields, std::string_view name) {
  // A repeated field: the last one counts, as in Cabal's field grammar.
  for (auto it = fields.rbegin(); it != fields.rend(); ++it)
    if (it->name == name)
      return &it->value;
  return nullptr;
}

llvm::Error fill_known_fields(PackageInfo &info) {
  auto get = [&](std::string_view name) {
    const std::string *v = last_value(info.fields, name);
    return v ? *v : std::string();
  };
  info.id = get("id");
  if (info.id.empty())
    return make_error(last_value(info.fields, "id") ? "empty id field" : "no id field");
  if (info.id.find_first_of(" \t\n") != std::string::npos)
    return make_error("id field holds more than one word: '" + info.id + "'");
  info.abi = get("abi");
  info.name = get("name");
  info.version = get("version");
  info.package_name = get("package-name");
  info.lib_name = get("lib-name");
  info.depends = split_list(get("depends"));
  for (const std::string &item : split_list(get("abi-depends"))) {
    std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error("abi-depends item '" + item + "' is not unitid=hash");
    info.abi_depends.push_back({item.substr(0, eq), item.substr(eq + 1)});
  }
  return llvm::Error::success();
}

} // namespace

const Field *PackageInfo::field(std::string_view wanted) const {
  std::string key = lower(wanted);
  for (auto it = fields.rbegin(); it != fields.rend(); ++it)
    if (it->name == key)
      return &*it;
  return nullptr;
}

bool is_binary(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 && c != '\n' && c != '\t' && c != '\r' && c != '\f';
  });
}

llvm::Expected<PackageInfo> parse_package_info(std::string_view text) {
  PackageInfo info;
  int number = 0;
  std::string failure;
  bool in_field = false;
  for_each_line(text, [&](std::string_view line) {
    ++number;
    if (!failure.empty())
      return;
    std::string_view trimmed = trim(line);
    if (trimmed.empty() || is_comment(trimmed))
      return;
    if (is_blank(line.front())) { // a continuation of the field above
      if (!in_field) {
        failure = "line " + std::to_string(number) + ": indented line before any field";
        return;
      }
      std::string &value = info.fields.back().value;
      if (!value.empty())
        value += '\n';
      value += trimmed;
      return;
    }
    std::size_t colon = 0;
    std::size_t length = field_name_length(line, &colon);
    if (length == 0) {
      failure = "line " + std::to_string(number) + ": not a 'field: value' line";
      return;
    }
    info.fields.push_back({lower(line.substr(0, length)), std::string(trim(line.substr(colon + 1)))});
    in_field = true;
  });
  if (!failure.empty())
    return make_error(failure);
  if (llvm::Error e = fill_known_fields(info))
    return e;
  return info;
}

std::vector<std::string_view> split_records(std::string_view text) {
  std::vector<std::string_view> records;
  std::size_t start = 0, pos = 0;
  auto close = [&](std::size_t end) {
    std::string_view record = text.substr(start, end - start);
    if (!trim(record).empty() &&
        record.find_first_not_of(" \t\r\n") != std::string_view::npos)
      records.push_back(record);
  };
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    if (trim(text.substr(pos, end - pos)) == "---" && !is_blank(text[pos])) {
      close(pos);
      start = std::min(end + 1, text.size());
    }
    pos = end + 1;
  }
  if (start < text.size())
    close(text.size());
  return records;
}

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> items;
  std::size_t i = 0;
  while (i < value.size()) {
    auto separator = [](char c) { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (i < value.size() && separator(value[i]))
      ++i;
    std::size_t start = i;
    while (i < value.size() && !separator(value[i]))
      ++i;
    if (i > start)
      items.emplace_back(value.substr(start, i - start));
  }
  return items;
}

bool is_list_field(std::string_view field) {
  // Not exposed-modules: its items may be `M from pkg:N`, a comma list.
  static constexpr std::array<std::string_view, 21> kLists = {
      "depends",          "abi-depends",          "hidden-modules",
      "import-dirs",      "library-dirs",         "library-dirs-static",   "dynamic-library-dirs",
      "framework-dirs",   "hs-libraries",         "extra-libraries",       "extra-libraries-static",
      "extra-ghci-libraries", "include-dirs",     "includes",              "cc-options",
      "cxx-options",      "ld-options",           "frameworks",            "haddock-interfaces",
      "instantiated-with", "bytecode-library-dirs"};
  return std::find(kLists.begin(), kLists.end(), field) != kLists.end();
}

const std::vector<std::string> &known_fields() {
  static const std::vector<std::string> fields = {
      "name", "version", "package-name", "lib-name", "visibility", "id", "instantiated-with", "key", "license",
      "copyright", "maintainer", "author", "stability", "homepage", "package-url", "synopsis", "description",
      "category", "abi", "indefinite", "exposed", "exposed-modules", "hidden-modules", "trusted", "import-dirs",
      "library-dirs", "library-dirs-static", "dynamic-library-dirs", "bytecode-library-dirs", "data-dir",
      "hs-libraries", "extra-libraries", "extra-libraries-static", "extra-ghci-libraries", "include-dirs",
      "includes", "depends", "abi-depends", "cc-options", "cxx-options", "ld-options", "framework-dirs",
      "frameworks", "haddock-interfaces", "haddock-html", "pkgroot", "hugs-options"};
  return fields;
}

std::string field_text(const PackageInfo &info, std::string_view name) {
  std::string key = lower(name);
  const Field *field = info.field(key);
  if (!field)
    return {};
  if (!is_list_field(key))
    return field->value;
  std::string out;
  for (const std::string &item : split_list(field->value))
    out += (out.empty() ? "" : " ") + item;
  return out;
}

bool looks_like_package_info(std::string_view head) {
  if (head.empty() || is_binary(head))
    return false;
  bool truncated = head.size() >= 64; // the last line may be cut off
  std::string_view rest = head;
  while (!rest.empty()) {
    std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    bool last = end == std::string_view::npos;
    std::string_view trimmed = trim(line);
    if (!trimmed.empty() && !is_comment(trimmed)) {
      if (trimmed == "---" || (last && truncated && trimmed == std::string_view("---").substr(0, trimmed.size())))
        return true;
      std::size_t colon = 0;
      if (field_name_length(line, &colon) > 0)
        return true;
      // A first line cut off before its colon may still be a field name.
      return last && truncated && !is_blank(line.front()) &&
             std::all_of(line.begin(), line.end(), is_name_char);
    }
    if (last)
      break;
    rest.remove_prefix(end + 1);
  }
  return truncated; // only comments and blank lines so far: read on
}

} // namespace abitag::ghc
