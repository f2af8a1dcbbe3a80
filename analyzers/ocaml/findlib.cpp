// SPDX-License-Identifier: MIT
// findlib's META files (findlib's site-lib/findlib/fl_metascanner.mll): a
// package's variables ("requires = \"a b,c\"", with predicates
// "requires(mt) = ..." and additions "requires += ...") and its
// subpackages ("package \"sub\" ( ... )"). A package is installed as
// DIR/NAME/META or DIR/META.NAME in a folder of findlib's path; every
// package a requires line names must be installed for `ocamlfind` to
// compile or link against it.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <set>

#include "analyzers/ocaml/ocaml.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/paths.h"
#include "fingerprint/walk.h"

namespace abitag::ocaml {
namespace {

struct Token {
  enum Kind { Word, String, Symbol } kind;
  std::string text;
};

std::vector<Token> tokens(std::string_view text) {
  std::vector<Token> out;
  for (std::size_t at = 0; at < text.size();) {
    char c = text[at];
    if (std::isspace(std::uint8_t(c))) {
      ++at;
    } else if (c == '#') {
      at = std::min(text.size(), text.find('\n', at));
    } else if (c == '"') {
      std::string value;
      for (++at; at < text.size() && text[at] != '"'; ++at)
        value += text[at] == '\\' && at + 1 < text.size() ? text[++at] : text[at];
      ++at;
      out.push_back({Token::String, value});
    } else if (c == '+' && at + 1 < text.size() && text[at + 1] == '=') {
      out.push_back({Token::Symbol, "+="});
      at += 2;
    } else if (std::isalnum(std::uint8_t(c)) || c == '_' || c == '-' || c == '.') {
      std::size_t end = at;
      while (end < text.size() && (std::isalnum(std::uint8_t(text[end])) || std::strchr("_-.", text[end])))
        ++end;
      out.push_back({Token::Word, std::string(text.substr(at, end - at))});
      at = end;
    } else {
      out.push_back({Token::Symbol, std::string(1, c)});
      ++at;
    }
  }
  return out;
}

void add_words(const std::string &value, std::vector<std::string> &out) {
  std::string word;
  for (char c : value + " ") {
    if (std::isspace(std::uint8_t(c)) || c == ',') {
      if (!word.empty())
        out.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
}

} // namespace

bool is_meta_name(std::string_view name) { return name == "META" || name.substr(0, 5) == "META."; }

std::string meta_package_name(const std::string &path) {
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.size() > 5 && name.compare(0, 5, "META.") == 0)
    return name.substr(5);
  std::string folder = parent_dir(path);
  return folder.substr(folder.rfind('/') + 1);
}

// Unknown syntax is passed over token by token: a META file findlib would
// refuse still names what it requires.
std::vector<MetaPackage> parse_meta(std::string_view text, const std::string &name, const std::string &path) {
  std::vector<Token> all = tokens(text);
  std::vector<MetaPackage> out{{name, path, {}}};
  std::vector<std::size_t> open{0}; // the packages whose parentheses are open
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Token &t = all[i];
    if (t.kind == Token::Word && t.text == "package" && i + 2 < all.size() && all[i + 1].kind == Token::String &&
        all[i + 2].text == "(") {
      out.push_back({out[open.back()].name + "." + all[i + 1].text, path, {}});
      open.push_back(out.size() - 1);
      i += 2;
    } else if (t.kind == Token::Symbol && t.text == ")" && open.size() > 1) {
      open.pop_back();
    } else if (t.kind == Token::Word && t.text == "requires") {
      std::size_t j = i + 1;
      if (j < all.size() && all[j].text == "(")
        while (j < all.size() && all[j].text != ")")
          ++j;
      j += j < all.size() && all[j].text == ")";
      if (j + 1 < all.size() && (all[j].text == "=" || all[j].text == "+=") && all[j + 1].kind == Token::String) {
        add_words(all[j + 1].text, out[open.back()].required);
        i = j + 1;
      }
    }
  }
  for (MetaPackage &package : out) { // each requirement once, in the order first named
    std::set<std::string> seen;
    std::vector<std::string> &names = package.required;
    names.erase(std::remove_if(names.begin(), names.end(), [&](const std::string &n) { return !seen.insert(n).second; }),
                names.end());
  }
  return out;
}

std::vector<MetaPackage> installed_meta(const std::string &root, std::vector<InputError> &errors) {
  std::vector<MetaPackage> out;
  std::mutex mutex;
  for (const std::string &folder : library_folders(root)) {
    WalkVisitor visitor;
    visitor.head_size = 1;
    visitor.enter = [](const std::string &, std::string_view, int depth) { return depth <= 2; };
    visitor.file = [&](const WalkedFile &file) {
      std::string path = file.path();
      std::string name = path.substr(path.rfind('/') + 1);
      if (!is_meta_name(name))
        return;
      llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(path);
      std::lock_guard<std::mutex> lock(mutex);
      if (!bytes) {
        errors.push_back({path, to_message(bytes.takeError())});
        return;
      }
      std::string inside = path_inside_root(root, path);
      for (MetaPackage &package : parse_meta((*bytes)->getBuffer(), meta_package_name(inside), inside))
        out.push_back(std::move(package));
    };
    walk_tree(folder, visitor);
  }
  std::sort(out.begin(), out.end(), [](const MetaPackage &a, const MetaPackage &b) { return a.name < b.name; });
  return out;
}

std::vector<std::string> missing_requires(const MetaPackage &package, const std::map<std::string, std::string> &known) {
  std::vector<std::string> out;
  for (const std::string &name : package.required)
    if (!known.count(name))
      out.push_back(name);
  return out;
}

} // namespace abitag::ocaml
