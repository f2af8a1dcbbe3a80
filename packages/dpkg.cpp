// SPDX-License-Identifier: MIT
// The dpkg database: var/lib/dpkg/status (with the journal dpkg has not
// folded into it yet, updates/), info/NAME[:ARCH].list and diversions.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <tuple>

#include <unistd.h>

#include <llvm/ADT/StringRef.h>

#include "fingerprint/errors.h"
#include "fingerprint/parallel.h"
#include "packages/readers.h"

namespace abitag::packages {

namespace {

constexpr std::string_view kDpkg = "/var/lib/dpkg";

// The fields of a status stanza the reader keeps; continuation lines are
// joined by a space.
struct Stanza {
  std::string where; // "/var/lib/dpkg/status:120", named in findings
  std::string package, status, architecture, multi_arch, version, source;
  std::string depends, pre_depends, built_using, static_built_using;
  std::string problem; // why the stanza cannot be used, if it cannot
};

std::string *field_of(Stanza &stanza, llvm::StringRef name) {
  struct Field {
    const char *name;
    std::string Stanza::*member;
  };
  static const Field fields[] = {
      {"Package", &Stanza::package},         {"Status", &Stanza::status},
      {"Architecture", &Stanza::architecture}, {"Multi-Arch", &Stanza::multi_arch},
      {"Version", &Stanza::version},         {"Source", &Stanza::source},
      {"Depends", &Stanza::depends},         {"Pre-Depends", &Stanza::pre_depends},
      {"Built-Using", &Stanza::built_using}, {"Static-Built-Using", &Stanza::static_built_using},
  };
  for (const Field &field : fields)
    if (name.equals_insensitive(field.name)) // deb822 field names ignore case
      return &(stanza.*field.member);
  return nullptr;
}

// The stanzas of a deb822 file (the status file, a journal file), in order.
std::vector<Stanza> parse_stanzas(std::string_view text, const std::string &file) {
  std::vector<Stanza> stanzas;
  std::vector<std::string_view> lines = text_lines(text);
  Stanza *current = nullptr;
  std::string *value = nullptr; // the field continuation lines extend
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (trimmed(line).empty()) {
      current = nullptr;
      continue;
    }
    if (!current) {
      stanzas.push_back({});
      current = &stanzas.back();
      current->where = file + ":" + std::to_string(i + 1);
      value = nullptr;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (value) {
        *value += ' ';
        *value += trimmed(line);
      }
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      if (current->problem.empty())
        current->problem = "line " + std::to_string(i + 1) + " is neither a field nor a continuation";
      continue;
    }
    value = field_of(*current, llvm::StringRef(line.data(), colon));
    if (value)
      *value = std::string(trimmed(line.substr(colon + 1)));
  }
  return stanzas;
}

// The states in which a package's files are on disk ("config-files" keeps
// only its conffiles; "not-installed" none).
bool files_on_disk(std::string_view status) {
  std::string_view state = trimmed(status);
  state = state.substr(std::min(state.size(), state.rfind(' ') + 1));
  for (std::string_view on_disk :
       {"installed", "triggers-pending", "triggers-awaited", "half-configured", "unpacked", "half-installed"})
    if (state == on_disk)
      return true;
  return false;
}

// The status file, then the journal files dpkg writes before folding them
// in (updates/0000, ...), each stanza replacing its package's.
llvm::Expected<std::vector<Stanza>> read_stanzas(const std::string &root) {
  std::string status_file = std::string(kDpkg) + "/status";
  auto text = read_text(in_root(root, status_file));
  if (!text)
    return make_error(status_file + ": " + to_message(text.takeError()));
  std::vector<Stanza> stanzas = parse_stanzas(*text, status_file);
  auto updates = folder_names(in_root(root, std::string(kDpkg) + "/updates"));
  if (!updates) {
    llvm::consumeError(updates.takeError()); // no journal
    return stanzas;
  }
  for (const std::string &name : *updates) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(c); }))
      continue;
    std::string file = std::string(kDpkg) + "/updates/" + name;
    auto update = read_text(in_root(root, file));
    if (!update) {
      Stanza unreadable;
      unreadable.where = file;
      unreadable.problem = to_message(update.takeError());
      stanzas.push_back(std::move(unreadable));
      continue;
    }
    for (Stanza &stanza : parse_stanzas(*update, file)) {
      auto same = std::find_if(stanzas.begin(), stanzas.end(), [&](const Stanza &s) {
        return s.package == stanza.package && s.architecture == stanza.architecture;
      });
      if (same != stanzas.end() && !stanza.package.empty())
        *same = std::move(stanza);
      else
        stanzas.push_back(std::move(stanza));
    }
  }
  return stanzas;
}

// "a (>= 1), b | c" as ["a (>= 1)", "b | c"], white space collapsed.
void add_relations(std::string_view field, std::vector<std::string> &out) {
  while (!field.empty()) {
    std::size_t comma = field.find(',');
    std::string_view item = trimmed(field.substr(0, comma));
    field.remove_prefix(comma == std::string_view::npos ? field.size() : comma + 1);
    std::string collapsed;
    for (char c : item) {
      bool space = std::isspace(static_cast<unsigned char>(c));
      if (!space)
        collapsed += c;
      else if (collapsed.back() != ' ')
        collapsed += ' ';
    }
    if (!collapsed.empty())
      out.push_back(std::move(collapsed));
  }
}

// A package from its stanza, without its files yet; the reason when the
// stanza cannot name one.
std::string package_of(const Stanza &stanza, Package &package) {
  if (!stanza.problem.empty())
    return stanza.problem;
  if (stanza.package.empty())
    return "a stanza without a Package field";
  if (stanza.version.empty())
    return "package " + stanza.package + " has no Version field";
  PackageId &id = package.id;
  id.manager = Manager::dpkg;
  id.name = stanza.package;
  id.version = stanza.version;
  id.architecture = stanza.architecture;
  id.multi_arch = stanza.multi_arch;
  std::string_view source = trimmed(stanza.source);
  std::size_t open = source.find('(');
  id.source = source.empty() ? id.name : std::string(trimmed(source.substr(0, open)));
  id.source_version = id.version;
  if (open != std::string_view::npos && source.back() == ')')
    id.source_version = std::string(trimmed(source.substr(open + 1, source.size() - open - 2)));
  add_relations(stanza.pre_depends, package.dependencies);
  add_relations(stanza.depends, package.dependencies);
  add_relations(stanza.built_using, package.built_against);
  add_relations(stanza.static_built_using, package.built_against);
  return {};
}

// A .list's text becomes the package's file list; "/." (the root every
// list starts with) is left out. Lists record no types: an entry another
// entry is in is a folder, the rest may be anything.
void set_files(std::string text, FileList &files) {
  struct Line {
    std::uint32_t offset, size;
  };
  std::vector<Line> lines;
  for (std::string_view line : text_lines(text))
    if (!line.empty() && line != "/.")
      lines.push_back({static_cast<std::uint32_t>(line.data() - text.data()), static_cast<std::uint32_t>(line.size())});
  auto view = [&](const Line &line) { return std::string_view(text).substr(line.offset, line.size); };
  // Sorted by path, a parent is found by binary search (no table of nodes).
  std::vector<std::uint32_t> sorted(lines.size());
  for (std::uint32_t i = 0; i < sorted.size(); ++i)
    sorted[i] = i;
  std::sort(sorted.begin(), sorted.end(), [&](std::uint32_t a, std::uint32_t b) { return view(lines[a]) < view(lines[b]); });
  std::vector<bool> folder(lines.size());
  for (const Line &line : lines) {
    std::string_view path = view(line);
    std::size_t slash = path.rfind('/');
    if (slash == 0 || slash == std::string_view::npos)
      continue;
    std::string_view parent = path.substr(0, slash);
    auto it = std::lower_bound(sorted.begin(), sorted.end(), parent,
                               [&](std::uint32_t i, std::string_view p) { return view(lines[i]) < p; });
    if (it != sorted.end() && view(lines[*it]) == parent)
      folder[*it] = true;
  }
  files.adopt(std::move(text)); // offsets stay right
  files.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i)
    files.add_slice(lines[i].offset, lines[i].size, folder[i] ? EntryType::directory : EntryType::unknown);
}

// Whether TEXT, a .list, has a line ending in "/NAME" for one of NAMES
// (every line ends in a newline).
bool list_names_file(std::string_view text, const std::vector<std::string> &names) {
  for (const std::string &name : names) {
    // memmem, not find: find stops at every '/' of the text, memmem skips.
    std::string needle = "/" + name + "\n";
    if (::memmem(text.data(), text.size(), needle.data(), needle.size()))
      return true;
  }
  return false;
}

// Reads PACKAGE's .list: NAME:ARCH.list for a Multi-Arch: same package,
// else NAME.list, and the other name when that one is missing (a package of
// a foreign architecture is qualified too). With FILTER, a list is read only
// when the package is wanted or it may list one of the file names, and kept
// only when it does.
std::string read_list(const std::string &root, Package &package, const ListFilter *filter) {
  PackageId &id = package.id;
  std::string info = std::string(kDpkg) + "/info/";
  std::string bare = info + id.name + ".list";
  std::string qualified = info + id.name + ":" + id.architecture + ".list";
  bool same = id.multi_arch == "same";
  std::string reason;
  for (const std::string &list : same ? std::vector{qualified, bare} : std::vector{bare, qualified}) {
    if (filter && ::access(in_root(root, list).c_str(), F_OK) == 0) {
      id.architecture_qualified = list == qualified; // the name a wanted() asks by
      package.entry = list;
      if (!(filter->wanted && filter->wanted(id)) && filter->file_names.empty())
        return {};
    }
    auto text = read_text(in_root(root, list));
    if (!text) {
      std::string why = to_message(text.takeError());
      if (reason.empty())
        reason = "its file list " + list + ": " + why;
      continue;
    }
    if (text->size() > kMaxFileListBytes)
      return "its file list " + list + " is larger than 4 GiB";
    id.architecture_qualified = list == qualified;
    package.entry = list;
    if (filter && !(filter->wanted && filter->wanted(id)) && !list_names_file(*text, filter->file_names))
      return {};
    set_files(std::move(*text), package.files);
    return {};
  }
  package.entry = same ? qualified : bare;
  if (filter && !(filter->wanted && filter->wanted(id)))
    return {}; // a list not kept: its damage is not this reader's to report
  return reason;
}

void read_diversions(const std::string &root, Database &database) {
  std::string file = std::string(kDpkg) + "/diversions";
  auto text = read_text(in_root(root, file));
  if (!text) {
    llvm::consumeError(text.takeError()); // dpkg writes it with the first diversion
    return;
  }
  std::vector<std::string_view> lines = text_lines(*text);
  for (std::size_t i = 0; i + 2 < lines.size(); i += 3) {
    std::string by(lines[i + 2]);
    database.diversions.push_back({std::string(lines[i]), std::string(lines[i + 1]), by == ":" ? "" : by});
  }
  if (lines.size() % 3 != 0)
    database.damaged.push_back({file, "its last diversion is cut short (" + std::to_string(lines.size()) +
                                          " lines, not groups of three)"});
}

} // namespace

llvm::Expected<Database> read_dpkg(const std::string &root, const ListFilter *filter) {
  auto stanzas = read_stanzas(root);
  if (!stanzas)
    return stanzas.takeError();
  Database database;
  database.manager = Manager::dpkg;
  database.location = std::string(kDpkg);
  for (const Stanza &stanza : *stanzas) {
    if (stanza.problem.empty() && !stanza.package.empty() && !files_on_disk(stanza.status))
      continue;
    Package package;
    std::string problem = package_of(stanza, package);
    if (!problem.empty())
      database.damaged.push_back({stanza.where, problem});
    else
      database.packages.push_back(std::move(package));
  }
  std::sort(database.packages.begin(), database.packages.end(), [](const Package &a, const Package &b) {
    return std::tie(a.id.name, a.id.architecture) < std::tie(b.id.name, b.id.architecture);
  });
  // About a thousand small files: read on the I/O threads, so a cold cache
  // keeps the disk's queue full.
  std::vector<std::string> problems(database.packages.size());
  parallel_for(database.packages.size(),
               [&](std::size_t i) { problems[i] = read_list(root, database.packages[i], filter); }, io_threads());
  for (std::size_t i = 0; i < problems.size(); ++i)
    if (!problems[i].empty())
      database.damaged.push_back({database.packages[i].entry, "package " + database.packages[i].id.qualified_name() +
                                                                 ": " + problems[i]});
  read_diversions(root, database);
  return database;
}

} // namespace abitag::packages
