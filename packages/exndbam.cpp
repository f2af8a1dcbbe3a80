// SPDX-License-Identifier: MIT
// Paludis' exndbam installed repository (Exherbo):
// var/db/paludis/repositories/installed/data/CAT---PKG/VERSION:SLOT:COOKIE/
// with `contents` and one file per variable (SLOT, DEPENDENCIES, REPOSITORY).
#include <map>

#include "fingerprint/errors.h"
#include "packages/readers.h"

namespace abitag::packages {

namespace {

constexpr std::string_view kInstalled = "/var/db/paludis/repositories/installed";

// One `contents` line's KEY=VALUE tokens, decoded as Paludis' parse_contents
// does: a backslash takes the next character literally ("\n" is a newline),
// an unescaped space ends a value. The reason when it is malformed.
std::string contents_tokens(std::string_view line, std::map<std::string, std::string> &tokens) {
  std::size_t p = 0;
  while (p < line.size()) {
    std::size_t equals = line.find('=', p);
    if (equals == std::string_view::npos)
      return "a token without '='";
    std::string key(line.substr(p, equals - p)), value;
    for (p = equals + 1; p < line.size() && line[p] != ' '; ++p) {
      if (line[p] != '\\') {
        value += line[p];
        continue;
      }
      if (++p == line.size())
        return "a backslash at the end of the line";
      value += line[p] == 'n' ? '\n' : line[p];
    }
    ++p; // the space
    if (!tokens.emplace(key, value).second)
      return "the key " + key + " twice";
  }
  return {};
}

// One line as a file entry; the reason when Paludis would skip it.
std::string contents_entry(std::string_view line, Package &package) {
  if (line[0] == '#') // Paludis reads contents as a LineConfigFile, which has comments
    return {};
  std::map<std::string, std::string> tokens;
  std::string problem = contents_tokens(line, tokens);
  if (!problem.empty())
    return problem;
  auto value = [&](const char *key) -> const std::string * {
    auto it = tokens.find(key);
    return it == tokens.end() ? nullptr : &it->second;
  };
  const std::string *type = value("type"), *path = value("path");
  if (!type)
    return "no type";
  if (!path || path->empty())
    return "no path";
  if (*type == "file") {
    if (!value("md5") || !value("mtime"))
      return "a file without md5 or mtime";
    package.files.add(*path, EntryType::file);
  } else if (*type == "dir") {
    package.files.add(*path, EntryType::directory);
  } else if (*type == "sym") {
    if (!value("target") || !value("mtime"))
      return "a link without target or mtime";
    package.files.add(*path, EntryType::symlink, *value("target"));
  } else {
    return "the unknown type " + *type;
  }
  return {};
}


// A one-line variable file; empty when there is none (Paludis writes
// REPOSITORY only when it is set).
std::string variable(const std::string &root, const Package &package, const char *name) {
  auto text = read_text(in_root(root, package.entry + "/" + name));
  if (!text) {
    llvm::consumeError(text.takeError());
    return {};
  }
  return std::string(trimmed(*text));
}

// DEPENDENCIES: a labelled spec tree; an item without a label is build+run.
void read_dependencies(const std::string &root, Package &package, std::vector<DamagedEntry> &damaged) {
  std::vector<LabelledSpec> specs;
  if (!split_dependency_specs(variable(root, package, "DEPENDENCIES"), "build+run", specs))
    damaged.push_back({package.entry + "/DEPENDENCIES", "its parentheses do not balance"});
  for (LabelledSpec &spec : specs) {
    if (has_label(spec.labels, "built-against") || has_label(spec.labels, "compile-against"))
      package.built_against.push_back(spec.spec);
    if (has_label(spec.labels, "build") || has_label(spec.labels, "install"))
      package.build_dependencies.push_back(spec.spec);
    if (has_label(spec.labels, "run") || has_label(spec.labels, "post"))
      package.dependencies.push_back(spec.spec);
  }
}

// data/CAT---PKG/VERSION:SLOT:COOKIE as a package (a damaged entry when the
// folder names are not of that form).
void read_entry(const std::string &root, const std::string &package_folder, const std::string &version_folder,
                std::optional<Package> &out, std::vector<DamagedEntry> &damaged) {
  std::string entry = std::string(kInstalled) + "/data/" + package_folder + "/" + version_folder;
  std::size_t separator = package_folder.find("---");
  std::size_t colon = version_folder.find(':');
  std::size_t second = colon == std::string::npos ? colon : version_folder.find(':', colon + 1);
  if (separator == std::string::npos || second == std::string::npos) {
    damaged.push_back({entry, "not data/CATEGORY---PACKAGE/VERSION:SLOT:COOKIE"});
    return;
  }
  Package &package = out.emplace();
  package.entry = entry;
  PackageId &id = package.id;
  id.manager = Manager::exndbam;
  id.name = package_folder.substr(0, separator) + "/" + package_folder.substr(separator + 3);
  id.version = version_folder.substr(0, colon);
  id.slot = version_folder.substr(colon + 1, second - colon - 1);
  id.repository = variable(root, package, "REPOSITORY");
  read_file_list(root, package, "contents", contents_entry, damaged);
  read_dependencies(root, package, damaged);
}

// The ndbam.conf Paludis reads: "ndbam_format = 1".
llvm::Error check_format(const std::string &root) {
  std::string conf = std::string(kInstalled) + "/ndbam.conf";
  auto text = read_text(in_root(root, conf));
  if (!text)
    return make_error(conf + ": " + to_message(text.takeError()));
  for (std::string_view line : text_lines(*text)) {
    std::size_t equals = line.find('=');
    if (equals != std::string_view::npos && trimmed(line.substr(0, equals)) == "ndbam_format" &&
        trimmed(line.substr(equals + 1)) != "1")
      return make_error(conf + ": ndbam_format " + std::string(trimmed(line.substr(equals + 1))) +
                        ", where abitag reads format 1");
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<Database> read_exndbam(const std::string &root) {
  if (llvm::Error error = check_format(root))
    return error;
  Database database;
  database.manager = Manager::exndbam;
  database.location = std::string(kInstalled);
  // A name starting with '-' is a merge in progress; Paludis skips those.
  auto entries = entry_folders(root, std::string(kInstalled) + "/data",
                               [](std::string_view name) { return name[0] == '-'; }, database);
  if (!entries)
    return entries.takeError();
  read_entries(*entries, [&](const std::string &package, const std::string &version, std::optional<Package> &out,
                             std::vector<DamagedEntry> &damaged) { read_entry(root, package, version, out, damaged); },
               database);
  return database;
}

} // namespace abitag::packages
