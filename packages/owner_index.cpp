// SPDX-License-Identifier: MIT
#include "packages/owner_index.h"

#include <algorithm>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include "fingerprint/errors.h"
#include "fingerprint/name_hash.h"
#include "packages/readers.h"

namespace abitag::packages {

namespace {

// TARGET of the link /NAME as a path inside the root: relative to the root
// folder, "." and ".." taken lexically (".." stops at the root).
std::string resolve_top_level(std::string_view target) {
  std::vector<std::string_view> parts;
  while (!target.empty()) {
    std::size_t slash = target.find('/');
    std::string_view part = target.substr(0, slash);
    target.remove_prefix(slash == std::string_view::npos ? target.size() : slash + 1);
    if (part == "..") {
      if (!parts.empty())
        parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
  }
  std::string out;
  for (std::string_view part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

} // namespace

RootAliases RootAliases::read(const std::string &root) {
  RootAliases aliases;
  auto names = folder_names(in_root(root, "/"));
  if (!names) {
    llvm::consumeError(names.takeError()); // no root folder: no names but the listed ones
    return aliases;
  }
  for (const std::string &name : *names) {
    std::string link = in_root(root, "/" + name);
    struct stat st;
    if (::lstat(link.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
      continue;
    std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4096), '\0');
    ssize_t size = ::readlink(link.c_str(), target.data(), target.size());
    if (size <= 0 || static_cast<std::size_t>(size) > target.size())
      continue;
    target.resize(static_cast<std::size_t>(size));
    std::string inside = resolve_top_level(target);
    if (inside != "/" + name && is_folder(in_root(root, inside)))
      aliases.add("/" + name, inside);
  }
  return aliases;
}

void RootAliases::add(std::string name, std::string target) {
  links_.emplace_back(std::move(name), target == "/" ? std::string() : std::move(target));
}

std::string RootAliases::canonical(std::string_view path) const {
  std::string buffer;
  return std::string(canonical(path, buffer));
}

std::string_view RootAliases::canonical(std::string_view path, std::string &buffer) const {
  // A few steps for a chain (/lib64 -> lib -> usr/lib); a loop ends there.
  for (int step = 0; step < 8 && path.size() > 1 && path[0] == '/'; ++step) {
    std::size_t end = path.find('/', 1);
    std::string_view first = path.substr(0, end);
    auto link = std::find_if(links_.begin(), links_.end(), [&](const auto &l) { return l.first == first; });
    if (link == links_.end())
      break;
    std::string next = link->second;
    next += end == std::string_view::npos ? std::string_view() : path.substr(end);
    buffer = next.empty() ? "/" : std::move(next);
    path = buffer;
  }
  return path;
}

OwnerIndex::OwnerIndex(std::vector<Database> databases, RootAliases aliases)
    : databases_(std::move(databases)), aliases_(std::move(aliases)) {
  std::size_t files = 0;
  for (std::uint32_t d = 0; d < databases_.size(); ++d) {
    std::unordered_map<std::string_view, const Diversion *> &diverted = diverted_.emplace_back();
    for (const Diversion &diversion : databases_[d].diversions)
      diverted.emplace(diversion.path, &diversion);
    for (const Package &package : databases_[d].packages) {
      packages_.push_back({&package, d});
      files += package.files.size();
    }
  }
  entries_.reserve(files);
  std::string buffer;
  for (std::uint32_t p = 0; p < packages_.size(); ++p) {
    const FileList &list = packages_[p].package->files;
    for (std::uint32_t f = 0; f < list.size(); ++f)
      entries_.push_back({name_hash(placed(packages_[p], list[f], buffer)), p, f});
  }
  std::sort(entries_.begin(), entries_.end(), [](const Entry &a, const Entry &b) {
    return std::tie(a.hash, a.package, a.file) < std::tie(b.hash, b.package, b.file);
  });
}

std::string_view OwnerIndex::placed(const Owned &owned, FileView file, std::string &buffer) const {
  const auto &diverted = diverted_[owned.database];
  if (!diverted.empty()) {
    auto diversion = diverted.find(file.path);
    const PackageId &id = owned.package->id;
    if (diversion != diverted.end() &&
        (diversion->second->by.empty() || (diversion->second->by != id.name && diversion->second->by != id.qualified_name())))
      return aliases_.canonical(diversion->second->diverted_to, buffer);
  }
  return aliases_.canonical(file.path, buffer);
}

std::vector<const Package *> OwnerIndex::owners(std::string_view path) const {
  std::string wanted = aliases_.canonical(path), buffer;
  std::uint64_t hash = name_hash(wanted);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), hash,
                             [](const Entry &e, std::uint64_t h) { return e.hash < h; });
  std::vector<const Package *> out;
  for (; it != entries_.end() && it->hash == hash; ++it) {
    const Owned &owned = packages_[it->package];
    if (!out.empty() && out.back() == owned.package)
      continue; // the same file under two listed names (/lib/x and /usr/lib/x)
    if (placed(owned, owned.package->files[it->file], buffer) == wanted)
      out.push_back(owned.package);
  }
  return out;
}

std::vector<const Package *> OwnerIndex::packages_named(std::string_view name) const {
  std::vector<const Package *> out;
  for (const Owned &owned : packages_)
    if (owned.package->id.name == name || owned.package->id.qualified_name() == name)
      out.push_back(owned.package);
  return out;
}

std::string OwnerIndex::placed_path(const Package &package, std::size_t file) const {
  std::string buffer;
  for (const Owned &owned : packages_)
    if (owned.package == &package)
      return std::string(placed(owned, package.files[file], buffer));
  return aliases_.canonical(package.files[file].path); // a package of no database here
}

InstalledPackages::~InstalledPackages() { wait_ahead(); }

void InstalledPackages::wait_ahead() {
  if (ahead_.joinable())
    ahead_.join();
}

void InstalledPackages::load_ahead() {
  if (ahead_.joinable())
    return;
  try {
    ahead_ = std::thread([this] { index(); });
  } catch (const std::system_error &) {
    // No thread to be had: the first question reads them.
  }
}

void InstalledPackages::load() {
  loaded_ = true;
  if (!read_databases_)
    return;
  std::vector<Database> databases;
  for (Manager manager : detect(root_)) {
    auto database = read_database(root_, manager);
    if (!database) {
      problems_.push_back({std::string(manager_name(manager)), to_message(database.takeError())});
      continue;
    }
    problems_.insert(problems_.end(), database->damaged.begin(), database->damaged.end());
    databases.push_back(std::move(*database));
  }
  index_ = OwnerIndex(std::move(databases), RootAliases::read(root_));
}

const OwnerIndex &InstalledPackages::index() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!loaded_)
    load();
  return index_; // not changed after this
}

const std::vector<DamagedEntry> &InstalledPackages::problems() {
  index();
  return problems_;
}

std::string InstalledPackages::describe(const std::string &path) {
  std::vector<std::string> names;
  for (const Package *package : index().owners(path)) {
    std::string name = package->id.short_name();
    if (std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(std::move(name)); // libc6:amd64 and libc6:i386 are both "libc6"
  }
  if (names.empty())
    return path;
  std::string out = path + (names.size() == 1 ? " (package " : " (packages ");
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i ? ", " : "") + names[i];
  return out + ")";
}

} // namespace abitag::packages
