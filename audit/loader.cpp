// SPDX-License-Identifier: MIT
#include "audit/loader.h"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <fstream>
#include <sstream>
#include <string_view>
#include <unordered_set>

#include <sys/stat.h>

#include "audit/search_paths.h"
#include "fingerprint/discover.h"

namespace abitag::audit {

namespace {

bool is_under(const std::string &path, const std::string &folder) {
  return path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 && path[folder.size()] == '/';
}

// musl's system folders: those of /etc/ld-musl-ARCH.path under ROOT (ARCH
// from LOADER's name, "/lib/ld-musl-x86_64.so.1"), separated by colons or
// newlines; without the file, musl's built-in /lib:/usr/local/lib:/usr/lib.
std::vector<std::string> musl_folders(const std::string &root, const std::string &loader) {
  std::string name = loader.substr(loader.rfind('/') + 1);
  std::string arch = name.substr(0, name.find(".so"));
  std::ifstream file(join_path(root, "/etc/" + arch + ".path"));
  if (!file)
    return {"/lib", "/usr/local/lib", "/usr/lib"};
  std::vector<std::string> out;
  std::string entry;
  while (std::getline(file, entry, '\n')) {
    std::istringstream entries(entry);
    for (std::string dir; std::getline(entries, dir, ':');)
      if (!dir.empty())
        out.push_back(dir);
  }
  return out;
}

} // namespace

Loader::Loader(ElfScan &scan, std::string sysroot, std::string sysroot_host, std::string musl_loader)
    : scan_(scan), sysroot_(std::move(sysroot)), root_(sysroot_.empty() ? scan.root() : std::move(sysroot_host)),
      musl_loader_(std::move(musl_loader)),
      conf_dirs_(musl_loader_.empty() ? read_ld_so_conf(root_) : musl_folders(root_, musl_loader_)) {}

std::string Loader::origin_of(const ElfEntry &entry) const {
  std::string origin = parent_dir(entry.path);
  if (sysroot_.empty() || origin.compare(0, sysroot_.size(), sysroot_) != 0)
    return origin;
  return origin.size() == sysroot_.size() ? "/" : origin.substr(sysroot_.size());
}

Loader::Found Loader::candidate(const std::string &dir, const std::string &name) {
  std::string key = join_path(dir, name);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = candidates_.find(key); it != candidates_.end())
      return it->second;
  }
  Found found = look_up(dir, name);
  std::lock_guard<std::mutex> lock(mutex_);
  candidates_.emplace(key, found);
  return found;
}

std::optional<std::string> Loader::host_folder(const std::string &dir) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = folders_.find(dir); it != folders_.end())
      return it->second;
  }
  std::optional<std::string> host;
  if (auto resolved = resolve_under_root(root_, dir.empty() ? "/" : dir))
    host = std::move(*resolved);
  else
    llvm::consumeError(resolved.takeError());
  std::lock_guard<std::mutex> lock(mutex_);
  return folders_.emplace(dir, host).first->second;
}

// Most names searched for are not in most folders searched: one lstat in
// the folder, resolved once (its path on the host has no links left), tells
// so. A link, the usual form of a soname, is resolved under ROOT in full.
Loader::Found Loader::look_up(const std::string &dir, const std::string &name) {
  Found found;
  if (const RootView *view = scan_.view()) // an image over ROOT: its folders are two
    return look_up_in_view(*view, join_path(dir, name));
  std::optional<std::string> folder = host_folder(dir);
  if (!folder)
    return found; // not there: no reason to give
  std::string host = join_path(*folder, name);
  struct stat st;
  bool known = ::lstat(host.c_str(), &st) == 0;
  if (!known && (errno == ENOENT || errno == ENOTDIR))
    return found;
  if (!known || S_ISLNK(st.st_mode)) {
    auto resolved = resolve_under_root(root_, join_path(dir, name));
    if (!resolved) {
      llvm::consumeError(resolved.takeError());
      return found;
    }
    host = std::move(*resolved);
    found.entry = scan_.entry_at(host, &found.why);
  } else {
    found.entry = scan_.entry_at(host, st, &found.why);
  }
  if (!found.entry)
    found.why = scan_.inside_root(host) + ": " + found.why;
  return found;
}

Loader::Found Loader::look_up_in_view(const RootView &view, const std::string &path) {
  Found found;
  auto host = view.resolve(path);
  if (!host) {
    llvm::consumeError(host.takeError());
    return found;
  }
  found.entry = scan_.entry_at(*host, &found.why);
  if (!found.entry)
    found.why = view.inside(*host) + ": " + found.why;
  return found;
}

const std::vector<std::string> &Loader::defaults_for(const ElfFacts &facts) {
  std::uint32_t key = std::uint32_t(facts.machine) << 8 | facts.elf_class;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = defaults_.find(key);
  if (it == defaults_.end()) // musl's are all in conf_dirs_
    it = defaults_
             .emplace(key, musl_loader_.empty() ? default_library_dirs(root_, facts.machine, facts.elf_class)
                                                : std::vector<std::string>{})
             .first;
  return it->second;
}

std::vector<std::string> Loader::system_folders(const ElfFacts &facts) {
  std::vector<std::string> out = conf_dirs_;
  const std::vector<std::string> &defaults = defaults_for(facts);
  out.insert(out.end(), defaults.begin(), defaults.end());
  return out;
}

// A host that loads a library by its path (dlopen("/opt/x/lib/server/
// libjvm.so")) before one that needs it by soname makes the second resolve:
// ld.so finds a loaded object by its soname. Only a file beside the
// requester or in its own tree counts, and a tree that holds a search folder
// (/usr/lib for /usr/lib/x86_64-linux-gnu) is no one package's own.
const ElfEntry *Loader::in_own_tree(const std::string &name, const ElfEntry &requester, const ElfEntry &main) {
  std::call_once(sonames_built_, [&] {
    for (std::size_t i = 0; i < scan_.walked(); ++i) {
      const ElfEntry &entry = scan_.entries()[i];
      if (entry.facts.type == 3 /*ET_DYN*/ && !entry.facts.soname.empty())
        by_soname_.emplace(entry.facts.soname, &entry);
    }
  });
  // Not a structured binding: a lambda may not capture one in C++17 (the fuzz build).
  auto named = by_soname_.equal_range(name);
  auto first_under = [&](const std::string &folder, bool directly) {
    const ElfEntry *found = nullptr;
    for (auto it = named.first; it != named.second; ++it)
      if ((directly ? parent_dir(it->second->path) == folder : is_under(it->second->path, folder)) &&
          it->second->facts.same_target(main.facts) && (!found || it->second->path < found->path))
        found = it->second;
    return found;
  };
  // A file beside it: systemd's private folder holds libsystemd-core and the
  // libsystemd-shared that systemd loads first (through its own RUNPATH).
  if (const ElfEntry *beside = first_under(parent_dir(requester.path), /*directly=*/true))
    return beside;
  std::string tree = parent_dir(parent_dir(requester.path));
  if (tree.empty() || tree == "/" || holds_search_folder(tree, main.facts))
    return nullptr;
  return first_under(tree, /*directly=*/false);
}

bool Loader::holds_search_folder(const std::string &folder, const ElfFacts &facts) {
  if (folder.empty() || folder == "/")
    return true;
  for (const std::string &system : system_folders(facts)) {
    std::string inside_root = sysroot_ + system; // system folders are named inside the sysroot
    if (folder == inside_root || is_under(inside_root, folder))
      return true;
  }
  return false;
}

std::size_t Loader::SearchKeyHash::operator()(const SearchKey &key) const {
  std::uint64_t h = reinterpret_cast<std::uintptr_t>(key.requester);
  h ^= (std::uint64_t(key.target) << 32 | key.needed) * 0x9e3779b97f4a7c15ULL;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

// The search for a name depends on the requester, on MAIN's ELF class and
// machine, and, when the requester has no DT_RUNPATH, on the DT_RPATH of the
// objects that loaded it. When those have none (nearly always), the same
// requester finds the same file for every program that loads it: libc.so.6
// is looked for once per library that needs it, not once per program.
const ElfEntry *Loader::find_library(std::size_t needed, const std::vector<const ElfEntry *> &chain,
                                     const ElfEntry &main, MissingLibrary &miss) {
  const ElfEntry &requester = *chain.front();
  const std::string &name = requester.facts.needed[needed];
  bool loaders_add_nothing =
      musl_loader_.empty()
          ? requester.facts.has_runpath || std::all_of(chain.begin() + 1, chain.end(),
                                                       [](const ElfEntry *loader) {
                                                         return loader->facts.has_runpath || loader->facts.rpath.empty();
                                                       })
          : std::all_of(chain.begin() + 1, chain.end(), [](const ElfEntry *loader) { // musl: every loader's
              return loader->facts.runpath.empty() && loader->facts.rpath.empty();
            });
  if (!loaders_add_nothing)
    return search_library(name, chain, main, miss);
  SearchKey key{&requester,
                std::uint32_t(main.facts.elf_class) << 24 | std::uint32_t(main.facts.data) << 16 | main.facts.machine,
                static_cast<std::uint32_t>(needed)};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = searches_.find(key); it != searches_.end()) {
      miss.searched = it->second.searched;
      miss.passed_over = it->second.passed_over;
      return it->second.found;
    }
  }
  const ElfEntry *found = search_library(name, chain, main, miss);
  Search search{found, {}, {}};
  if (!found) {
    search.searched = miss.searched;
    search.passed_over = miss.passed_over;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  searches_.emplace(key, std::move(search));
  return found;
}

// _dl_map_object's search. CHAIN is the requesting object followed by the
// objects that loaded it, up to MAIN.
const ElfEntry *Loader::search_library(const std::string &name, const std::vector<const ElfEntry *> &chain,
                                       const ElfEntry &main, MissingLibrary &miss) {
  const ElfEntry &requester = *chain.front();
  auto try_file = [&](const std::string &dir, const std::string &file) -> const ElfEntry * {
    miss.searched.push_back(sysroot_ + dir); // named inside ROOT
    Found found = candidate(dir, file);
    if (!found.entry) {
      if (!found.why.empty())
        miss.passed_over.push_back(found.why);
      return nullptr;
    }
    if (!found.entry->facts.same_target(main.facts)) {
      miss.passed_over.push_back(found.entry->path + ": another ELF class or machine");
      return nullptr;
    }
    if (found.entry->facts.type != 3 /*ET_DYN*/) {
      miss.passed_over.push_back(found.entry->path + ": not a shared object");
      return nullptr;
    }
    return found.entry;
  };
  auto try_dir = [&](const std::string &dir) { return try_file(dir, name); };
  auto try_list = [&](const std::vector<std::string> &entries, const ElfEntry &owner) -> const ElfEntry * {
    for (const std::string &entry : entries) {
      std::string dir = expand_search_entry(entry, origin_of(owner), owner.facts.machine, owner.facts.elf_class);
      if (dir.empty() || dir[0] != '/')
        continue; // relative to the working directory of whoever runs it: unknowable here
      if (const ElfEntry *hit = try_dir(dir))
        return hit;
    }
    return nullptr;
  };

  if (name.find('/') != std::string::npos) {
    // A path, after $ORIGIN and the like are expanded, is used as it is
    // (a relative one depends on the working directory: unknowable here).
    std::string path = expand_search_entry(name, origin_of(requester), requester.facts.machine,
                                           requester.facts.elf_class);
    if (path[0] != '/')
      return nullptr;
    return try_file(parent_dir(path), path.substr(path.rfind('/') + 1));
  }
  if (!musl_loader_.empty()) {
    // musl's load_library: the names it answers with itself, then the
    // DT_RUNPATH, else the DT_RPATH, of the requester and of each object
    // that loaded it, then its system folders.
    if (musl_reserved_name(name))
      return candidate(parent_dir(musl_loader_), musl_loader_.substr(musl_loader_.rfind('/') + 1)).entry;
    for (const ElfEntry *loader : chain)
      if (const ElfEntry *hit = try_list(loader->facts.has_runpath ? loader->facts.runpath : loader->facts.rpath,
                                         *loader))
        return hit;
    for (const std::string &dir : conf_dirs_)
      if (const ElfEntry *hit = try_dir(dir))
        return hit;
    return nullptr;
  }
  if (!requester.facts.has_runpath) {
    for (const ElfEntry *loader : chain)
      if (!loader->facts.has_runpath || loader == &requester)
        if (const ElfEntry *hit = try_list(loader->facts.rpath, *loader))
          return hit;
  }
  if (const ElfEntry *hit = try_list(requester.facts.runpath, requester))
    return hit;
  for (const std::string &dir : conf_dirs_)
    if (const ElfEntry *hit = try_dir(dir))
      return hit;
  for (const std::string &dir : defaults_for(main.facts))
    if (const ElfEntry *hit = try_dir(dir))
      return hit;
  return nullptr;
}

Closure Loader::load_closure(const ElfEntry &main) {
  Closure out;
  struct Node {
    const ElfEntry *entry;
    std::size_t loader; // index in nodes; the main object is its own
  };
  std::vector<Node> nodes{{&main, 0}};
  // The names the objects loaded answer to (their sonames and the names
  // they were loaded by; the strings are the scan's), and the objects.
  std::unordered_set<std::string_view> names{main.facts.soname};
  std::unordered_set<const ElfEntry *> loaded{&main};
  std::vector<const ElfEntry *> chain;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    chain.clear();
    for (std::size_t n = i;; n = nodes[n].loader) {
      chain.push_back(nodes[n].entry);
      if (n == 0)
        break;
    }
    const ElfEntry *requester = nodes[i].entry;
    for (std::size_t k = 0; k < requester->facts.needed.size(); ++k) {
      const std::string &name = requester->facts.needed[k];
      if (names.count(name))
        continue;
      MissingLibrary miss{name, requester->path, {}, {}, {}};
      const ElfEntry *found = find_library(k, chain, main, miss);
      if (!found) {
        // Missing for ld.so all the same; a library's may be loaded first.
        const ElfEntry *first = in_own_tree(name, *requester, main);
        if (first)
          miss.by_path = first->path;
        out.missing.push_back(std::move(miss));
        if (!first || main.facts.is_program())
          continue;
        out.by_path.push_back({name, requester->path, first});
        found = first;
      }
      names.insert(name);
      if (!loaded.insert(found).second)
        continue;
      names.insert(found->facts.soname);
      nodes.push_back({found, i});
    }
  }
  for (const Node &node : nodes)
    out.scope.push_back(node.entry);
  // ld.so itself is always in the global scope, last unless already loaded.
  if (!main.facts.interpreter.empty()) {
    // Through the candidates' cache: every program names one of very few.
    const std::string &path = main.facts.interpreter;
    std::size_t slash = path.rfind('/');
    const ElfEntry *interp =
        candidate(slash == std::string::npos ? "" : path.substr(0, slash), path.substr(slash + 1)).entry;
    if (!interp)
      out.missing_interpreter = main.facts.interpreter;
    else if (std::find(out.scope.begin(), out.scope.end(), interp) == out.scope.end())
      out.scope.push_back(interp);
  }
  return out;
}

LinkageResult Loader::link(const ElfEntry &object) {
  LinkageResult out;
  out.closure = load_closure(object);
  const std::vector<const ElfEntry *> &scope = out.closure.scope;

  // dl-version.c: every version required from a loaded library must be
  // defined there (a library without version definitions satisfies all).
  for (const VersionNeed &need : object.facts.version_needs) {
    const ElfEntry *library = nullptr;
    for (const ElfEntry *entry : scope)
      if (entry != &object && (entry->facts.soname == need.file ||
                               entry->path.substr(entry->path.rfind('/') + 1) == need.file)) {
        library = entry;
        break;
      }
    if (!library || !library->facts.has_version_definitions)
      continue;
    for (const std::string &version : need.versions) {
      const auto &defined = library->facts.version_definitions;
      if (std::find(defined.begin(), defined.end(), version) == defined.end())
        out.missing_versions.push_back({version, need.file, library->path});
    }
  }

  // The keys of the whole scope are held for the check: the cache may drop
  // them meanwhile, when it is over its budget, but not from under it.
  std::vector<SymbolKeyCache::Keys> exports;
  exports.reserve(scope.size());
  for (const ElfEntry *entry : scope) {
    auto keys = scan_.keys_of(*entry);
    if (!keys) {
      out.unreadable = entry->path + ": " + to_message(keys.takeError());
      return out;
    }
    exports.push_back(std::move(*keys));
  }
  // The object itself is first in its scope.
  for (const Import &import : exports.front()->imports) {
    bool found = std::any_of(exports.begin(), exports.end(), [&](const SymbolKeyCache::Keys &keys) {
      return keys->exports.contains(import.key) || (import.fallback && keys->exports.contains(import.fallback));
    });
    if (!found) {
      out.unresolved.push_back(import.symbol);
      out.unresolved_imports.push_back(import);
    }
  }
  return out;
}

} // namespace abitag::audit
