// SPDX-License-Identifier: MIT
// Portage's VDB: var/db/pkg/CATEGORY/PF/ with CONTENTS, one file per
// variable (SLOT, repository, RDEPEND, DEPEND, PROVIDES, REQUIRES) or, from
// Portage 3.0.82, the same variables in one `metadata` file once the
// per-variable files are deleted, and NEEDED.ELF.2.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "fingerprint/errors.h"
#include "packages/readers.h"

namespace abitag::packages {

namespace {

constexpr std::string_view kVdb = "/var/db/pkg";

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(c); });
}

std::size_t digits_at(std::string_view text, std::size_t p) {
  std::size_t start = p;
  while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p])))
    ++p;
  return p - start;
}

// A PMS version with its revision: 1.2.3b_pre4_p1-r2.
bool is_version(std::string_view text) {
  std::size_t p = digits_at(text, 0);
  if (p == 0)
    return false;
  while (p < text.size() && text[p] == '.') {
    std::size_t n = digits_at(text, p + 1);
    if (n == 0)
      return false;
    p += 1 + n;
  }
  if (p < text.size() && text[p] >= 'a' && text[p] <= 'z')
    ++p;
  while (p < text.size() && text[p] == '_') {
    std::string_view rest = text.substr(p + 1);
    std::size_t suffix = 0;
    for (std::string_view name : {"alpha", "beta", "pre", "rc", "p"})
      if (rest.substr(0, name.size()) == name) {
        suffix = name.size();
        break;
      }
    if (suffix == 0)
      return false;
    p += 1 + suffix;
    p += digits_at(text, p);
  }
  if (p == text.size())
    return true;
  return text.substr(p, 2) == "-r" && all_digits(text.substr(p + 2));
}

// PF as PN and PVR, split at the first hyphen a version follows, as
// Portage's pkgsplit does ("font-adobe-100dpi-1.0.3-r1").
std::optional<std::pair<std::string, std::string>> split_pf(std::string_view pf) {
  for (std::size_t hyphen = pf.find('-'); hyphen != std::string_view::npos; hyphen = pf.find('-', hyphen + 1))
    if (hyphen > 0 && is_version(pf.substr(hyphen + 1)))
      return std::make_pair(std::string(pf.substr(0, hyphen)), std::string(pf.substr(hyphen + 1)));
  return std::nullopt;
}

// The variables of an entry: its per-variable files, else its `metadata`
// file ("#format=1", sorted KEY=value lines).
class Variables {
public:
  Variables(const std::string &root, const std::string &entry) : folder_(in_root(root, entry)) {
    auto text = read_text(folder_ + "/metadata");
    if (!text) {
      llvm::consumeError(text.takeError());
      return;
    }
    for (std::string_view line : text_lines(*text)) {
      std::size_t equals = line.find('=');
      if (!line.empty() && line[0] != '#' && equals != std::string_view::npos)
        metadata_.emplace(std::string(line.substr(0, equals)), std::string(line.substr(equals + 1)));
    }
  }

  std::optional<std::string> get(const std::string &name) const {
    auto text = read_text(folder_ + "/" + name);
    if (text)
      return std::string(trimmed(*text));
    llvm::consumeError(text.takeError());
    auto it = metadata_.find(name);
    if (it == metadata_.end())
      return std::nullopt;
    return std::string(trimmed(it->second));
  }

private:
  std::string folder_;
  std::map<std::string, std::string> metadata_;
};

// "PATH MD5 MTIME" or "PATH -> TARGET MTIME" without its last field, which
// must be a number: Portage before 2.0.51 wrote a link's as "(MTIME, NNNL)".
std::optional<std::string_view> without_mtime(std::string_view rest) {
  std::size_t last = rest.rfind(' ');
  if (last == std::string_view::npos)
    return std::nullopt;
  std::string_view mtime = rest.substr(last + 1);
  if (mtime.size() > 2 && mtime.substr(mtime.size() - 2) == "L)") {
    std::size_t open = rest.rfind(" (");
    return open == std::string_view::npos ? std::nullopt : std::optional(rest.substr(0, open));
  }
  return all_digits(mtime) ? std::optional(rest.substr(0, last)) : std::nullopt;
}

// One CONTENTS line, parsed as Portage's greedy _contents_re does: a path
// may hold spaces, and a link's path even " -> " (its target then may not).
std::string contents_entry(std::string_view line, Package &package) {
  std::size_t space = line.find(' ');
  std::string_view type = line.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  if (type == "dir" || type == "fif" || type == "dev") {
    if (rest.empty())
      return "a " + std::string(type) + " line without a path";
    package.files.add(rest, type == "dir" ? EntryType::directory : EntryType::other);
    return {};
  }
  if (type == "obj") {
    std::optional<std::string_view> fields = without_mtime(rest);
    std::size_t md5 = fields ? fields->rfind(' ') : std::string_view::npos;
    if (md5 == std::string_view::npos || md5 == 0)
      return "an obj line without PATH MD5 MTIME";
    package.files.add(fields->substr(0, md5), EntryType::file);
    return {};
  }
  if (type == "sym") {
    std::optional<std::string_view> fields = without_mtime(rest);
    std::size_t arrow = fields ? fields->rfind(" -> ") : std::string_view::npos;
    if (arrow == std::string_view::npos || arrow == 0)
      return "a sym line without PATH -> TARGET MTIME";
    package.files.add(fields->substr(0, arrow), EntryType::symlink, fields->substr(arrow + 4));
    return {};
  }
  return "the unknown entry type " + std::string(type);
}


std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  if (text.empty())
    return out;
  for (;;) {
    std::size_t end = text.find(separator);
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos)
      return out;
    text.remove_prefix(end + 1);
  }
}

// NEEDED.ELF.2: "ARCH;OBJ;SONAME;RUNPATHS;NEEDED[;MULTILIB_CATEGORY]".
void read_needed(const std::string &root, Package &package, std::vector<DamagedEntry> &damaged) {
  auto text = read_text(in_root(root, package.entry + "/NEEDED.ELF.2"));
  if (!text) {
    llvm::consumeError(text.takeError()); // a package without ELF files has none
    return;
  }
  std::vector<std::string_view> lines = text_lines(*text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty())
      continue;
    std::vector<std::string> fields = split(lines[i], ';');
    if (fields.size() < 5) {
      damaged.push_back({package.entry + "/NEEDED.ELF.2:" + std::to_string(i + 1),
                         std::to_string(fields.size()) + " fields, where Portage needs at least 5"});
      continue;
    }
    NeededElf needed{fields[0], fields[1], fields[2], split(fields[3], ':'), split(fields[4], ','),
                     fields.size() > 5 ? fields[5] : std::string()};
    package.needed_elf.push_back(std::move(needed));
  }
}

// PROVIDES and REQUIRES: "x86_64: libfoo.so.1 libbar.so.2 x86_32: libc.so.6".
void read_sonames(const Variables &variables, const char *name, Package &package,
                  std::vector<SonameGroup> &out, std::vector<DamagedEntry> &damaged) {
  std::optional<std::string> text = variables.get(name);
  if (!text)
    return;
  for (std::string_view word : words(*text)) {
    if (word.back() == ':')
      out.push_back({std::string(word.substr(0, word.size() - 1)), {}});
    else if (out.empty()) {
      damaged.push_back({package.entry + "/" + name, "the soname " + std::string(word) + " has no category"});
      return;
    } else
      out.back().sonames.emplace_back(word);
  }
}

// An atom whose slot operator Portage rewrote to what was installed at
// build time: "dev-libs/foo:0/1.2=" or "dev-libs/foo:3=[ssl]", not a bare
// ":=" (no match was installed).
bool is_locked_atom(std::string_view word) {
  std::size_t colon = word.find(':');
  if (colon == std::string_view::npos || word.find('/') > colon)
    return false;
  std::string_view slot = word.substr(colon + 1, word.find('[', colon) - colon - 1);
  return slot.size() > 1 && slot.back() == '=';
}

void read_dependencies(const Variables &variables, Package &package, std::vector<DamagedEntry> &damaged) {
  struct Kind {
    const char *variable;
    std::vector<std::string> Package::*out;
  };
  for (Kind kind : {Kind{"RDEPEND", &Package::dependencies}, Kind{"DEPEND", &Package::build_dependencies}}) {
    std::string text = variables.get(kind.variable).value_or("");
    std::vector<LabelledSpec> specs;
    if (!split_dependency_specs(text, "", specs))
      damaged.push_back({package.entry + "/" + kind.variable, "its parentheses do not balance"});
    for (LabelledSpec &spec : specs)
      (package.*kind.out).push_back(std::move(spec.spec));
    for (std::string_view word : words(text))
      if (is_locked_atom(word) && std::find(package.built_against.begin(), package.built_against.end(), word) ==
                                      package.built_against.end())
        package.built_against.emplace_back(word);
  }
}

void read_entry(const std::string &root, const std::string &category, const std::string &pf,
                std::optional<Package> &out, std::vector<DamagedEntry> &damaged) {
  std::string entry = std::string(kVdb) + "/" + category + "/" + pf;
  auto name = split_pf(pf);
  if (!name) {
    damaged.push_back({entry, "the folder name is not PACKAGE-VERSION"});
    return;
  }
  Package &package = out.emplace();
  package.entry = entry;
  PackageId &id = package.id;
  id.manager = Manager::vdb;
  id.name = category + "/" + name->first;
  id.version = name->second;
  Variables variables(root, entry);
  std::optional<std::string> slot = variables.get("SLOT");
  if (!slot)
    damaged.push_back({entry, "no SLOT, in a file of its own or in metadata"});
  id.slot = slot.value_or("");
  id.repository = variables.get("repository").value_or("");
  read_file_list(root, package, "CONTENTS", contents_entry, damaged);
  read_dependencies(variables, package, damaged);
  read_needed(root, package, damaged);
  read_sonames(variables, "PROVIDES", package, package.provided_sonames, damaged);
  read_sonames(variables, "REQUIRES", package, package.required_sonames, damaged);
}

} // namespace

llvm::Expected<Database> read_vdb(const std::string &root) {
  Database database;
  database.manager = Manager::vdb;
  database.location = std::string(kVdb);
  // Portage merges into "-MERGING-PF" and keeps files of its own under
  // names starting with '.'; neither is an installed package.
  auto entries = entry_folders(root, database.location,
                               [](std::string_view name) { return name[0] == '-' || name[0] == '.'; }, database);
  if (!entries)
    return entries.takeError();
  read_entries(*entries, [&](const std::string &category, const std::string &pf, std::optional<Package> &out,
                             std::vector<DamagedEntry> &damaged) { read_entry(root, category, pf, out, damaged); },
               database);
  return database;
}

} // namespace abitag::packages
