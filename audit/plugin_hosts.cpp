// SPDX-License-Identifier: MIT
#include "audit/plugin_hosts.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <tuple>

#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"

namespace abitag::audit {
namespace {

// The candidates are those exporting some of the missing symbols: a host
// defines them all in its load scope, so it exports some itself or loads
// a candidate that does. Taken across the list, not its start, and enough
// of them to meet each library an underlinked module takes symbols from:
// libunwind-ptrace.so.0 needs 6 of liblzma's and 3 of
// libunwind-x86_64.so.8's, which loads liblzma and so is its host.
constexpr std::size_t kIndexedMissing = 16;

// The imports of MISSING whose exporters are indexed.
std::vector<const Import *> indexed(const std::vector<Import> &missing) {
  std::vector<const Import *> out;
  std::size_t n = std::min(missing.size(), kIndexedMissing);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(&missing[n == 1 ? 0 : i * (missing.size() - 1) / (n - 1)]);
  return out;
}

std::string base_name(const std::string &path) { return path.substr(path.rfind('/') + 1); }

// "3.11" for the MAJOR.MINOR at POS in TEXT ("3.11.7", "3.11/"), else empty.
std::string version_at(const std::string &text, std::size_t pos) {
  std::size_t end = pos;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))
    ++end;
  if (end == pos || end + 1 >= text.size() || text[end] != '.' ||
      !std::isdigit(static_cast<unsigned char>(text[end + 1])))
    return {};
  std::size_t minor_end = end + 1;
  while (minor_end < text.size() && std::isdigit(static_cast<unsigned char>(text[minor_end])))
    ++minor_end;
  return text.substr(pos, minor_end - pos);
}

// The version after the first of PREFIXES that starts NAME.
std::string version_after(const std::string &name, std::initializer_list<const char *> prefixes) {
  for (const char *prefix : prefixes)
    if (name.compare(0, std::char_traits<char>::length(prefix), prefix) == 0)
      return version_at(name, std::char_traits<char>::length(prefix));
  return {};
}

// The version after the first "/FOLDER" in PATH that a version follows.
std::string version_in_folder(const std::string &path, const char *folder) {
  std::string needle = std::string("/") + folder;
  for (std::size_t at = path.find(needle); at != std::string::npos; at = path.find(needle, at + 1))
    if (std::string version = version_at(path, at + needle.size()); !version.empty())
      return version;
  return {};
}

// PEP 3149: "x.cpython-311-x86_64-linux-gnu.so" is for CPython 3.11;
// else the site folder, "/usr/lib/python3.11/lib-dynload".
std::string python_module_version(const std::string &path) {
  std::string name = base_name(path);
  std::size_t tag = name.find(".cpython-");
  if (tag != std::string::npos) {
    std::size_t digits = tag + 9;
    std::size_t end = digits;
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end])))
      ++end;
    if (end - digits >= 2)
      return name.substr(digits, 1) + "." + name.substr(digits + 1, end - digits - 1);
  }
  return version_in_folder(path, "python");
}

// Perl's archlib: ".../perl5/5.36/auto/X/X.so", ".../perl/5.36.0/auto/X/X.so".
std::string perl_module_version(const std::string &path) {
  std::string version = version_in_folder(path, "perl5/");
  return version.empty() ? version_in_folder(path, "perl/") : version;
}

std::size_t shared_folders(const std::string &a, const std::string &b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size() && a[i] == b[i]; ++i)
    n += a[i] == '/';
  return n;
}

struct Runtime {
  const char *name = nullptr; // null: HOST and MODULE name no one runtime's versions
  std::string host_version, module_version;
};

// The runtime whose conventions name both HOST's version and MODULE's.
Runtime runtime_of(const std::string &host, const std::string &module) {
  std::string host_name = base_name(host);
  const Runtime runtimes[] = {
      {"Python", version_after(host_name, {"python", "libpython"}), python_module_version(module)},
      {"Perl", version_after(host_name, {"libperl.so.", "perl"}), perl_module_version(module)},
  };
  for (const Runtime &runtime : runtimes)
    if (!runtime.host_version.empty() && !runtime.module_version.empty())
      return runtime;
  return {};
}

} // namespace

std::string convention_refuses(const std::string &host, const std::string &module) {
  Runtime runtime = runtime_of(host, module);
  if (!runtime.name || runtime.host_version == runtime.module_version)
    return {};
  return std::string("it is built for ") + runtime.name + " " + runtime.module_version + " and " + host + " is " +
         runtime.name + " " + runtime.host_version;
}

PluginHosts::PluginHosts(ElfScan &scan, Loaders &loaders, const std::vector<PluginQuery> &queries)
    : scan_(scan), loaders_(loaders) {
  if (queries.empty())
    return;
  std::vector<std::uint64_t> wanted_keys;
  for (const PluginQuery &query : queries)
    for (const Import *import : indexed(*query.missing)) {
      wanted_keys.push_back(import->key);
      if (import->fallback)
        wanted_keys.push_back(import->fallback);
    }
  KeySet wanted(wanted_keys.size());
  wanted.insert_all(wanted_keys);
  std::vector<const ElfEntry *> files;
  for (std::size_t i = 0; i < scan_.walked(); ++i)
    if (scan_.entries()[i].facts.loadable())
      files.push_back(&scan_.entries()[i]);
  // One pass over every export of every file, each a probe of the small
  // table of keys wanted: the cost grows with ROOT, not with ROOT times the
  // plugins.
  std::vector<std::vector<std::uint64_t>> hits(files.size());
  parallel_for(files.size(), [&](std::size_t i) {
    auto keys = scan_.keys_of(*files[i]);
    if (!keys) {
      llvm::consumeError(keys.takeError()); // the file's own check reports it
      return;
    }
    (*keys)->exports.for_each([&](std::uint64_t key) {
      if (wanted.contains(key))
        hits[i].push_back(key);
    });
  });
  for (std::size_t i = 0; i < files.size(); ++i) {
    for (std::uint64_t key : hits[i])
      exporters_[key].push_back(files[i]);
    if (files[i]->facts.is_program())
      for (const std::string &name : files[i]->facts.needed)
        programs_by_needed_.emplace(name, files[i]);
  }
  for (const PluginQuery &query : queries)
    modules_.push_back(query.module);
  std::sort(modules_.begin(), modules_.end(), [](const ElfEntry *a, const ElfEntry *b) { return a->path < b->path; });
}

std::vector<const ElfEntry *> PluginHosts::candidates(const PluginQuery &query) const {
  std::vector<const ElfEntry *> out;
  auto add = [&](std::uint64_t key) {
    auto it = exporters_.find(key);
    if (it == exporters_.end())
      return;
    for (const ElfEntry *entry : it->second)
      if (entry != query.module && entry->facts.same_target(query.module->facts))
        out.push_back(entry);
  };
  for (const Import *import : indexed(*query.missing)) {
    add(import->key);
    if (import->fallback)
      add(import->fallback);
  }
  std::sort(out.begin(), out.end(), [](const ElfEntry *a, const ElfEntry *b) { return a->path < b->path; });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// What a plugin's missing symbols bind to in its host: the host's global
// scope, its load closure. Built once per candidate, for all its plugins.
const std::vector<SymbolKeyCache::Keys> &PluginHosts::scope_of(const ElfEntry &candidate) {
  Scope *scope;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    scope = &scopes_[&candidate];
  }
  std::call_once(scope->built, [&] {
    for (const ElfEntry *entry : loaders_.for_file(candidate).load_closure(candidate).scope) {
      auto keys = scan_.keys_of(*entry);
      if (keys)
        scope->keys.push_back(std::move(*keys));
      else
        llvm::consumeError(keys.takeError());
    }
  });
  return scope->keys;
}

// The program nearest NEAR that needs LIBRARY by name; of those as near,
// the one that needs the fewest libraries (perl, not perf, for libperl).
const ElfEntry *PluginHosts::program_loading(const ElfEntry &library, const std::string &near) const {
  const ElfEntry *best = nullptr;
  auto consider = [&](const std::string &name) {
    auto [first, last] = programs_by_needed_.equal_range(name);
    for (auto it = first; it != last; ++it) {
      const ElfEntry *program = it->second;
      if (!best || std::make_tuple(-long(shared_folders(program->path, near)), program->facts.needed.size(),
                                   program->path) <
                       std::make_tuple(-long(shared_folders(best->path, near)), best->facts.needed.size(), best->path))
        best = program;
    }
  };
  consider(library.facts.soname);
  if (std::string file = base_name(library.path); file != library.facts.soname)
    consider(file);
  return best;
}

// Which of MISSING the files KEYS define.
std::vector<bool> PluginHosts::defined_by(const std::vector<SymbolKeyCache::Keys> &keys,
                                          const std::vector<Import> &missing) {
  std::vector<bool> out(missing.size());
  for (std::size_t i = 0; i < missing.size(); ++i)
    out[i] = std::any_of(keys.begin(), keys.end(), [&](const SymbolKeyCache::Keys &file) {
      return file->exports.contains(missing[i].key) ||
             (missing[i].fallback && file->exports.contains(missing[i].fallback));
    });
  return out;
}

// The modules a host may load before MODULE: the plugins (files that
// leave symbols for a host to define, as zsh's modules all do) of its
// folder, then those of its subfolders (zsh loads zsh/net/tcp.so before
// zsh/zftp.so, which uses it), of MODULE's target. None when the folder
// is a library search folder or holds one: the libraries there are
// everyone's, and a library beside another is not loaded for it (nothing
// loads libunwind-x86_64.so.8 before libunwind-ptrace.so.0 for dpkg-deb).
std::vector<const ElfEntry *> PluginHosts::fellow_modules(const ElfEntry &module) {
  std::string folder = parent_dir(module.path);
  if (loaders_.for_file(module).holds_search_folder(folder, module.facts))
    return {};
  std::string prefix = folder + "/";
  auto first = std::lower_bound(modules_.begin(), modules_.end(), prefix,
                                [](const ElfEntry *entry, const std::string &p) { return entry->path < p; });
  std::vector<const ElfEntry *> beside, below;
  for (auto it = first; it != modules_.end() && (*it)->path.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (*it == &module || !(*it)->facts.same_target(module.facts))
      continue;
    ((*it)->path.find('/', prefix.size()) == std::string::npos ? beside : below).push_back(*it);
  }
  beside.insert(beside.end(), below.begin(), below.end());
  return beside;
}

// For each of the query's missing symbols, the first fellow module
// (fellow_modules) that defines it, or null.
std::vector<const ElfEntry *> PluginHosts::siblings_defining(const PluginQuery &query) {
  std::vector<const ElfEntry *> out(query.missing->size());
  for (const ElfEntry *fellow : fellow_modules(*query.module)) {
    auto keys = scan_.keys_of(*fellow);
    if (!keys) {
      llvm::consumeError(keys.takeError());
      continue;
    }
    std::vector<bool> here = defined_by({*keys}, *query.missing);
    for (std::size_t i = 0; i < out.size(); ++i)
      if (!out[i] && here[i])
        out[i] = fellow;
  }
  return out;
}

HostMatch PluginHosts::host_of(const PluginQuery &query) {
  HostMatch out;
  const std::vector<Import> &missing = *query.missing;
  std::vector<bool> anywhere(missing.size());
  std::vector<HostMatch> hosts;
  std::optional<std::vector<const ElfEntry *>> siblings; // found when first needed
  for (const ElfEntry *candidate : candidates(query)) {
    std::vector<bool> defined = defined_by(scope_of(*candidate), missing);
    HostMatch match;
    match.host = candidate;
    for (std::size_t i = 0; i < missing.size(); ++i) {
      if (defined[i])
        continue;
      if (!siblings)
        siblings = siblings_defining(query);
      if (!(*siblings)[i]) {
        match.host = nullptr;
        continue;
      }
      if (std::find(match.loaded_first.begin(), match.loaded_first.end(), (*siblings)[i]) == match.loaded_first.end())
        match.loaded_first.push_back((*siblings)[i]);
    }
    for (std::size_t i = 0; i < missing.size(); ++i)
      anywhere[i] = anywhere[i] || defined[i] || (siblings && (*siblings)[i]);
    if (!match.host)
      continue;
    if (std::string why = convention_refuses(candidate->path, query.module->path); !why.empty()) {
      if (!out.refused) {
        out.refused = candidate;
        out.refused_because = std::move(why);
      }
      continue;
    }
    if (!candidate->facts.is_program())
      match.loader = program_loading(*candidate, query.module->path);
    hosts.push_back(std::move(match));
  }
  for (std::size_t i = 0; i < missing.size(); ++i)
    if (!anywhere[i])
      out.undefined_anywhere.push_back(i);
  // A host with a program to name first, the nearest first: a module in a
  // tree of its own (a virtualenv, /opt/x) is loaded by that tree's
  // interpreter. Then a host
  // that is the program itself, and one that needs no fellow module; last
  // the program that needs the fewest libraries: the runtime's own
  // interpreter (python3.11, perl), not an application that embeds it too
  // (perf links libpython3.11 and libperl).
  const std::string &near = query.module->path;
  auto rank = [&](const HostMatch &match) {
    const ElfEntry *program = match.loader ? match.loader : match.host;
    return std::make_tuple(!program->facts.is_program(), -long(shared_folders(program->path, near)),
                           !match.host->facts.is_program(),
                           match.loaded_first.size(), -long(shared_folders(match.host->path, near)),
                           program->facts.needed.size(), match.host->path);
  };
  const HostMatch *best = nullptr;
  for (const HostMatch &match : hosts)
    if (!best || rank(match) < rank(*best))
      best = &match;
  if (best) {
    out.host = best->host;
    out.loader = best->loader;
    out.loaded_first = best->loaded_first;
  }
  return out;
}

} // namespace abitag::audit
