// SPDX-License-Identifier: MIT
// A model of glibc's ld.so, run inside ROOT: which file each DT_NEEDED name
// loads (DT_RPATH of the object and its loaders when it has no DT_RUNPATH,
// then DT_RUNPATH, then ld.so.conf, then the default folders; candidates of
// another ELF class, byte order or machine are passed over), the breadth-
// first load order that is the symbol lookup scope, the versions each needs,
// and the imports that nothing in the scope exports.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/elf_scan.h"

namespace abitag::audit {

struct MissingLibrary {
  std::string name;                 // the DT_NEEDED entry
  std::string needed_by;            // path inside ROOT
  std::vector<std::string> searched; // folders looked in, inside ROOT
  std::vector<std::string> passed_over; // candidates of another class/machine, or unreadable, with why
  // A file of that soname in the requester's own tree, which a host may
  // load by path first (then it is in Closure::by_path too, when the main
  // object is a library; a program cannot have it loaded before it starts).
  std::string by_path;
};

// A library found only because a host loads it by path first (the JDK's
// launcher loads lib/server/libjvm.so before lib/libjava.so, which needs it).
struct LoadedByPath {
  std::string name;      // the DT_NEEDED entry
  std::string needed_by; // path inside ROOT
  const ElfEntry *library = nullptr;
};

struct MissingVersion {
  std::string version;
  std::string library; // the soname the version is required from
  std::string library_path;
};

struct Closure {
  std::vector<const ElfEntry *> scope; // load order: the object first, the interpreter last
  std::vector<MissingLibrary> missing; // needed by any object in the closure
  std::vector<LoadedByPath> by_path;   // missing, yet in the scope: loaded first by a host (libraries only)
  std::string missing_interpreter;     // PT_INTERP when it is not there
};

struct LinkageResult {
  Closure closure;
  std::vector<MissingVersion> missing_versions; // of the object itself
  std::vector<std::size_t> unresolved;          // the object's own imports, by symbol table index
  std::vector<Import> unresolved_imports;       // the same imports, with their keys
  std::string unreadable; // why the symbols of the object or of its scope could not be read again
};

class Loader {
public:
  // SYSROOT (a folder inside ROOT, at SYSROOT_HOST on the host) when given:
  // every search path is taken inside it, as if it were the root (sysroots.h).
  // MUSL_LOADER, its path inside the sysroot, when that is musl's: then
  // musl's search replaces glibc's (see search_library).
  explicit Loader(ElfScan &scan, std::string sysroot = {}, std::string sysroot_host = {},
                  std::string musl_loader = {});

  LinkageResult link(const ElfEntry &object);
  Closure load_closure(const ElfEntry &object);
  // The folders searched for every library of a file like FACTS (ld.so.conf, then the defaults).
  std::vector<std::string> system_folders(const ElfFacts &facts);
  // Whether FOLDER (inside ROOT) is one of the system folders of files like
  // FACTS, or holds one: such a folder is shared by every package, no one
  // package's own tree.
  bool holds_search_folder(const std::string &folder, const ElfFacts &facts);

private:
  struct Found {
    const ElfEntry *entry = nullptr;
    std::string why; // when a file is there but unusable
  };
  // The file NAME in folder DIR (inside ROOT), cached.
  Found candidate(const std::string &dir, const std::string &name);
  Found look_up(const std::string &dir, const std::string &name);
  Found look_up_in_view(const RootView &view, const std::string &path);
  // DIR resolved under ROOT on the host, once per folder; nullopt when it is not there.
  std::optional<std::string> host_folder(const std::string &dir);
  const std::vector<std::string> &defaults_for(const ElfFacts &facts);
  // The library that DT_NEEDED entry NEEDED of CHAIN's first object loads.
  const ElfEntry *find_library(std::size_t needed, const std::vector<const ElfEntry *> &chain,
                               const ElfEntry &main, MissingLibrary &miss);
  const ElfEntry *search_library(const std::string &name, const std::vector<const ElfEntry *> &chain,
                                 const ElfEntry &main, MissingLibrary &miss);

  // ENTRY's folder as the loader sees it: inside the sysroot.
  std::string origin_of(const ElfEntry &entry) const;
  // A shared object of soname NAME in REQUESTER's own tree (the folder
  // above its own, when that holds no search folder), for MAIN; null if none.
  const ElfEntry *in_own_tree(const std::string &name, const ElfEntry &requester, const ElfEntry &main);

  ElfScan &scan_;
  std::string sysroot_; // inside ROOT; empty: ROOT itself
  std::string root_;    // where search paths are resolved: ROOT or the sysroot, on the host
  std::string musl_loader_; // inside the sysroot; empty: glibc's loader
  std::vector<std::string> conf_dirs_; // ld.so.conf's; musl's path file or default path
  std::once_flag sonames_built_;
  std::unordered_multimap<std::string_view, const ElfEntry *> by_soname_; // the walked shared objects
  std::mutex mutex_;
  std::unordered_map<std::string, Found> candidates_;
  std::unordered_map<std::string, std::optional<std::string>> folders_;
  std::unordered_map<std::uint32_t, std::vector<std::string>> defaults_;
  // What find_library gave, by requester, target and DT_NEEDED entry, for
  // searches the requester's loaders take no part in (see there).
  struct SearchKey {
    const ElfEntry *requester;
    std::uint32_t target; // the main object's class, byte order and machine
    std::uint32_t needed; // index in the requester's DT_NEEDED list
    bool operator==(const SearchKey &other) const {
      return requester == other.requester && target == other.target && needed == other.needed;
    }
  };
  struct SearchKeyHash {
    std::size_t operator()(const SearchKey &key) const;
  };
  struct Search {
    const ElfEntry *found = nullptr;
    std::vector<std::string> searched, passed_over; // when not found
  };
  std::unordered_map<SearchKey, Search, SearchKeyHash> searches_;
};

} // namespace abitag::audit
