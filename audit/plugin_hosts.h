// SPDX-License-Identifier: MIT
// Plugins and their hosts. A shared object whose undefined symbols nothing
// it loads defines is often a plugin: the program that dlopens it (python3.11
// for an extension module, perl's libperl for an XS module, postgres for an
// extension) defines them. The programs and libraries under ROOT that export
// a plugin's first missing symbols are its candidate hosts, found through an
// index built once over every file's exports; a candidate is its host when
// its own load scope defines every missing symbol and the runtime's folder
// conventions agree (a Python extension's suffix or site folder, a Perl XS
// module's archname folder).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/loader.h"
#include "audit/sysroots.h"

namespace abitag::audit {

struct PluginQuery {
  const ElfEntry *module = nullptr;
  const std::vector<Import> *missing = nullptr; // its imports that nothing it loads defines
};

struct HostMatch {
  const ElfEntry *host = nullptr;   // defines every missing symbol; null when none does
  const ElfEntry *loader = nullptr; // when HOST is a library: a program that needs it, if any
  // Fellow modules in the plugin's folder or its subfolders that define
  // what HOST does not, which the host loads before it.
  std::vector<const ElfEntry *> loaded_first;
  // Indexes in the query's missing imports that no candidate defines.
  std::vector<std::size_t> undefined_anywhere;
  // A candidate defining them all that the folder conventions refuse, and why.
  const ElfEntry *refused = nullptr;
  std::string refused_because;
};

class PluginHosts {
public:
  // Indexes the exporters of the first missing symbols of QUERIES in one
  // pass over the exports of ROOT's files.
  PluginHosts(ElfScan &scan, Loaders &loaders, const std::vector<PluginQuery> &queries);
  // Thread-safe.
  HostMatch host_of(const PluginQuery &query);

private:
  struct Scope {
    std::once_flag built;
    std::vector<SymbolKeyCache::Keys> keys; // of the candidate's load scope
  };
  std::vector<const ElfEntry *> candidates(const PluginQuery &query) const;
  const std::vector<SymbolKeyCache::Keys> &scope_of(const ElfEntry &candidate);
  static std::vector<bool> defined_by(const std::vector<SymbolKeyCache::Keys> &keys,
                                      const std::vector<Import> &missing);
  std::vector<const ElfEntry *> siblings_defining(const PluginQuery &query);
  std::vector<const ElfEntry *> fellow_modules(const ElfEntry &module);
  const ElfEntry *program_loading(const ElfEntry &library, const std::string &near) const;

  ElfScan &scan_;
  Loaders &loaders_; // each candidate loaded as its own (sys)root loads it
  std::unordered_map<std::uint64_t, std::vector<const ElfEntry *>> exporters_;
  std::unordered_multimap<std::string_view, const ElfEntry *> programs_by_needed_;
  std::vector<const ElfEntry *> modules_; // the queries' modules, sorted by path
  std::mutex mutex_;
  std::unordered_map<const ElfEntry *, Scope> scopes_; // nodes stay put
};

// Why the runtime conventions of HOST's and MODULE's paths say HOST does not
// load MODULE ("it is built for Python 3.12 and HOST is Python 3.11"), or empty.
std::string convention_refuses(const std::string &host, const std::string &module);

} // namespace abitag::audit
