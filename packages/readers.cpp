// SPDX-License-Identifier: MIT
#include "packages/readers.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint/errors.h"
#include "fingerprint/parallel.h"

namespace abitag::packages {

std::string in_root(const std::string &root, std::string_view path) {
  std::string out = root == "/" ? std::string() : root;
  if (!out.empty() && out.back() == '/')
    out.pop_back();
  out += path;
  return out;
}

llvm::Expected<std::string> read_text(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return make_error(std::strerror(errno));
  std::string text;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0)
    text.reserve(static_cast<std::size_t>(st.st_size));
  char chunk[65536];
  for (;;) {
    ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int error = errno;
      ::close(fd);
      return make_error(std::strerror(error));
    }
    if (got == 0)
      break;
    text.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
}

llvm::Expected<std::vector<std::string>> folder_names(const std::string &path) {
  DIR *dir = ::opendir(path.c_str());
  if (!dir)
    return make_error(std::strerror(errno));
  std::vector<std::string> names;
  while (dirent *entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..")
      names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool is_folder(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string_view trimmed(std::string_view text) {
  const char *space = " \t\r\n\f\v";
  std::size_t first = text.find_first_not_of(space);
  if (first == std::string_view::npos)
    return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

std::vector<std::string_view> text_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  const char *space = " \t\r\n\f\v";
  for (std::size_t start = text.find_first_not_of(space); start != std::string_view::npos;) {
    std::size_t end = text.find_first_of(space, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    start = end == std::string_view::npos ? end : text.find_first_not_of(space, end);
  }
  return out;
}

namespace {

// "build+run:" and the like: a dependency label of exheres-0.
bool is_label(std::string_view token) {
  if (token.size() < 2 || token.back() != ':')
    return false;
  token.remove_suffix(1);
  return std::all_of(token.begin(), token.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '+' || c == '-'; });
}

// A recursive descent over the tokens: groups are split, any-of groups and
// atoms are items.
class SpecSplitter {
public:
  SpecSplitter(std::string_view text, std::vector<LabelledSpec> &out) : tokens_(words(text)), out_(out) {}

  bool split(std::string labels) { return items(std::move(labels), {}, /*in_group=*/false); }

private:
  bool items(std::string labels, const std::vector<std::string_view> &conditions, bool in_group) {
    while (pos_ < tokens_.size()) {
      std::string_view token = tokens_[pos_];
      if (token == ")") {
        ++pos_;
        return in_group;
      }
      if (is_label(token)) {
        labels = std::string(token.substr(0, token.size() - 1));
        ++pos_;
      } else if (token == "[[") {
        skip_annotations();
      } else if (token == "(" || token.back() == '?') {
        std::vector<std::string_view> inner = conditions;
        if (token != "(") {
          inner.push_back(token);
          if (++pos_ >= tokens_.size() || tokens_[pos_] != "(")
            return false;
        }
        ++pos_;
        if (!items(labels, inner, /*in_group=*/true))
          return false;
      } else if (token == "||" || token == "^^" || token == "??") {
        std::string group;
        if (!whole_group(group))
          return false;
        emit(labels, conditions, group);
      } else {
        emit(labels, conditions, std::string(token));
        ++pos_;
      }
    }
    return !in_group;
  }

  // "|| ( a ( b c ) )" as one item, the operator at pos_.
  bool whole_group(std::string &group) {
    group = std::string(tokens_[pos_++]);
    int depth = 0;
    while (pos_ < tokens_.size()) {
      std::string_view token = tokens_[pos_++];
      group += ' ';
      group += token;
      if (token == "(")
        ++depth;
      else if (token == ")" && --depth <= 0)
        return depth == 0;
    }
    return false;
  }

  // Paludis annotations ("[[ description = [ ... ] ]]") say nothing about
  // what is depended on.
  void skip_annotations() {
    int depth = 0;
    while (pos_ < tokens_.size()) {
      std::string_view token = tokens_[pos_++];
      if (token == "[[")
        ++depth;
      else if (token == "]]" && --depth == 0)
        return;
    }
  }

  void emit(const std::string &labels, const std::vector<std::string_view> &conditions, std::string spec) {
    for (auto it = conditions.rbegin(); it != conditions.rend(); ++it)
      spec = std::string(*it) + " ( " + spec + " )";
    out_.push_back({labels, std::move(spec)});
  }

  std::vector<std::string_view> tokens_;
  std::size_t pos_ = 0;
  std::vector<LabelledSpec> &out_;
};

} // namespace

bool split_dependency_specs(std::string_view text, std::string_view default_labels,
                            std::vector<LabelledSpec> &out) {
  return SpecSplitter(text, out).split(std::string(default_labels));
}

bool has_label(std::string_view labels, std::string_view label) {
  while (!labels.empty()) {
    std::size_t end = labels.find('+');
    if (labels.substr(0, end) == label)
      return true;
    labels.remove_prefix(end == std::string_view::npos ? labels.size() : end + 1);
  }
  return false;
}

void read_file_list(const std::string &root, Package &package, const char *file,
                    const std::function<std::string(std::string_view line, Package &package)> &parse,
                    std::vector<DamagedEntry> &damaged) {
  auto text = read_text(in_root(root, package.entry + "/" + file));
  if (!text) {
    damaged.push_back({package.entry, std::string("its ") + file + ": " + to_message(text.takeError())});
    return;
  }
  if (text->size() > kMaxFileListBytes) {
    damaged.push_back({package.entry, std::string("its ") + file + " is larger than 4 GiB"});
    return;
  }
  std::vector<std::string_view> lines = text_lines(*text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty())
      continue;
    std::string problem = parse(lines[i], package);
    if (!problem.empty())
      damaged.push_back({package.entry + "/" + file + ":" + std::to_string(i + 1), problem});
  }
  package.files.shrink_to_fit();
}

llvm::Expected<EntryFolders> entry_folders(const std::string &root, const std::string &folder,
                                           bool (*skip)(std::string_view name), Database &database) {
  auto outer = folder_names(in_root(root, folder));
  if (!outer)
    return make_error(folder + ": " + to_message(outer.takeError()));
  EntryFolders entries;
  for (const std::string &first : *outer) {
    std::string path = folder + "/" + first;
    if (skip(first) || !is_folder(in_root(root, path)))
      continue;
    auto inner = folder_names(in_root(root, path));
    if (!inner) {
      database.damaged.push_back({path, to_message(inner.takeError())});
      continue;
    }
    for (const std::string &second : *inner)
      if (!skip(second) && is_folder(in_root(root, path + "/" + second)))
        entries.emplace_back(first, second);
  }
  return entries;
}

void read_entries(const EntryFolders &entries,
                  const std::function<void(const std::string &, const std::string &, std::optional<Package> &,
                                           std::vector<DamagedEntry> &)> &read,
                  Database &database) {
  std::vector<std::optional<Package>> packages(entries.size());
  std::vector<std::vector<DamagedEntry>> damaged(entries.size());
  parallel_for(entries.size(), [&](std::size_t i) {
    read(entries[i].first, entries[i].second, packages[i], damaged[i]);
  }, io_threads());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (packages[i])
      database.packages.push_back(std::move(*packages[i]));
    for (DamagedEntry &entry : damaged[i])
      database.damaged.push_back(std::move(entry));
  }
}

} // namespace abitag::packages
