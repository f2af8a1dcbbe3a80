// SPDX-License-Identifier: MIT
#include "adopt/locks.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <ctime>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "adopt/adopt.h"
#include "analyzers/registry.h"
#include "analyzers/sbcl/sbcl.h"
#include "audit/loader.h"
#include "fingerprint/analyzer.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/folders.h"
#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"
#include "tagger/analyzer_arguments.h"

namespace abitag::adopt {

// One round's ELF files read by the audit's scan, and its loader over them.
struct ElfRound {
  // No files is no walk (a walk of no paths is one of the whole root).
  // The scan keeps no symbol keys (they are for the audit's linkage check,
  // which adopting does not make) and classifies no file's C++ ABI (only
  // the libraries loaded are asked about, in shows_cxx_abi): a whole
  // system's keys are tens of MiB, and classifying every file on all
  // reading threads at once made adopting peak above the audit.
  ElfRound(const std::string &root, const std::vector<std::string> &files, audit::Progress &progress)
      : scan(files.empty() ? audit::ElfScan(root, std::vector<InputFile>{}, {}, progress, /*census=*/false)
                           : audit::ElfScan(root, files, progress, /*census=*/false,
                                            std::make_shared<audit::SymbolKeyCache>(/*budget=*/0))),
        loader(scan) {
    for (const audit::ElfEntry &entry : scan.entries())
      by_path.emplace(entry.path, &entry);
  }
  audit::ElfScan scan;
  audit::Loader loader;
  std::unordered_map<std::string, const audit::ElfEntry *> by_path;

  // Whether LIBRARY's interface shows C++ ABI evidence: it is read once
  // more, with a census, the first time it is asked about.
  bool shows_cxx_abi(const audit::ElfEntry &library) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (auto known = classified.find(library.path); known != classified.end())
        return known->second;
    }
    bool shows = false;
    llvm::Expected<audit::ElfFacts> facts = audit::read_elf_facts(library.host_path, /*census=*/true);
    if (facts)
      shows = facts->census.interface_families != 0;
    else
      llvm::consumeError(facts.takeError()); // the loader read it: a lock on its sonames still holds
    std::lock_guard<std::mutex> lock(mutex);
    classified.emplace(library.path, shows);
    return shows;
  }

  std::mutex mutex;
  std::unordered_map<std::string, bool> classified;
};

namespace {

std::string_view base_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The library of SCOPE that DT_NEEDED entry NAME loaded: the loader's scope
// holds each library once, by its soname or file name.
const audit::ElfEntry *loaded_as(const std::vector<const audit::ElfEntry *> &scope, const std::string &name) {
  for (std::size_t i = 1; i < scope.size(); ++i)
    if (scope[i]->facts.soname == name || base_name(scope[i]->path) == base_name(name))
      return scope[i];
  return nullptr;
}

bool is_elf(const PackageFile &file) { return file.head.substr(0, 4) == "\x7f" "ELF"; }

std::string joined(const std::set<std::string> &words) {
  std::string out;
  for (const std::string &word : words)
    out += (out.empty() ? "" : ",") + word;
  return out;
}

} // namespace

Locks::Needs Locks::needs_of(const PackageFiles &files, ElfRound &round) {
  Needs out;
  for (const PackageFile &file : files.files) {
    auto found = round.by_path.find(file.path);
    if (found == round.by_path.end() || !found->second->facts.loadable())
      continue;
    const audit::ElfEntry &object = *found->second;
    audit::Closure closure = round.loader.load_closure(object);
    for (const std::string &needed : object.facts.needed) {
      const audit::ElfEntry *library = loaded_as(closure.scope, needed);
      if (!library)
        continue; // missing: the audit's linkage section reports it
      std::set<std::string> &keys = out[library->path];
      keys.insert(kSonamesKey);
      if (round.shows_cxx_abi(*library))
        keys.insert("cxxabi");
    }
  }
  // A user of Qt's private API is locked on the qt tag of the Qt it loads
  // (take_locks makes locks only on providers that have one).
  bool qt_user = std::any_of(files.tags.begin(), files.tags.end(), [](const tagger::Tag &t) { return t.key == "qt"; });
  if (qt_user)
    for (auto &[library, keys] : out)
      keys.insert("qt");
  add_ghc_needs(files, out);
  add_sbcl_needs(files, out);
  add_kmod_needs(files, out);
  add_ocaml_needs(files, out);
  add_python_needs(files, out);
  add_perl_needs(files, out);
  return out;
}

llvm::Expected<std::set<std::string>> Locks::add_round(std::vector<PackageFiles> &round,
                                                        audit::Progress &progress) {
  std::vector<std::string> elf_files;
  for (const PackageFiles &files : round) {
    adopted_.insert(files.id);
    if (files.problem.empty())
      for (const PackageFile &file : files.files)
        if (is_elf(file))
          elf_files.push_back(file.host_path);
  }
  ElfRound elf(root_, elf_files, progress);
  std::vector<Needs> needs(round.size());
  progress.begin("linking", round.size());
  parallel_for(round.size(), [&](std::size_t i) {
    if (round[i].problem.empty())
      needs[i] = needs_of(round[i], elf);
    progress.advance();
  });
  progress.end();
  std::vector<std::string> needed_paths;
  for (const Needs &package_needs : needs)
    for (const auto &[path, keys] : package_needs)
      needed_paths.push_back(path);
  const packages::OwnerIndex &owners = lookup_.owning(needed_paths);
  std::set<std::string> unknown;
  for (std::size_t i = 0; i < round.size(); ++i) {
    PackageFiles &files = round[i];
    if (!files.problem.empty())
      continue;
    std::set<std::string> sonames;
    for (const PackageFile &file : files.files)
      if (auto found = elf.by_path.find(file.path); found != elf.by_path.end() && !found->second->facts.soname.empty())
        sonames.insert(found->second->facts.soname);
    if (!sonames.empty())
      files.tags.push_back({files.id, kSonamesKey, joined(sonames), kSonamesSource,
                            static_cast<std::int64_t>(std::time(nullptr)), std::nullopt});
    for (tagger::Tag &tag : files.tags) {
      values_[tag.package][tag.key] = tag.value;
      tags_.push_back(std::move(tag));
    }
    Providers providers;
    for (const auto &[path, keys] : needs[i])
      for (const packages::Package *owner : owners.owners(path))
        if (std::string id = store_id(owner->id); id != files.id)
          providers[id].insert(keys.begin(), keys.end());
    for (const auto &[provider, keys] : providers)
      if (!adopted_.count(provider))
        unknown.insert(provider);
    needs_[files.id] = std::move(providers);
  }
  std::set<std::string> next;
  for (const std::string &provider : unknown) {
    llvm::Expected<bool> known = store_.knows(provider);
    if (!known)
      return known.takeError();
    if (!*known)
      next.insert(provider);
  }
  return next;
}

llvm::Expected<std::optional<std::string>> Locks::value_of(const std::string &package, const std::string &key) {
  if (auto found = values_.find(package); found != values_.end()) {
    auto value = found->second.find(key);
    return value == found->second.end() ? std::nullopt : std::optional<std::string>(value->second);
  }
  return store_.tag_value(package, key);
}

llvm::Expected<std::vector<tagger::Lock>> Locks::take_locks() {
  std::vector<tagger::Lock> out;
  std::int64_t time = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto &[dependant, providers] : needs_)
    for (const auto &[provider, keys] : providers)
      for (const std::string &key : keys) {
        llvm::Expected<std::optional<std::string>> value = value_of(provider, key);
        if (!value)
          return value.takeError();
        if (*value)
          out.push_back({dependant, provider, key, **value, time});
      }
  return out;
}

namespace {

// The foreign libraries the SBCL core or executable at HOST reopens, as the
// files (inside ROOT) dlopen would load: none when its heap cannot be read
// (the audit's sbcl section reports that).
std::vector<std::string> reopened_libraries(const std::string &root, const std::string &host) {
  llvm::Expected<sbcl::SbclFile> file = sbcl::identify_file(host);
  if (!file) {
    llvm::consumeError(file.takeError());
    return {};
  }
  llvm::Expected<sbcl::CoreFacts> facts = sbcl::read_core_facts(host, *file);
  if (!facts) {
    llvm::consumeError(facts.takeError());
    return {};
  }
  sbcl::LibrarySearch search;
  search.root = root;
  std::vector<std::string> out;
  for (const std::string &name : facts->libraries.names)
    if (!name.empty() && name[0] == '/') // dlopen takes a path as it is
      out.push_back(name);
    else if (name.find('/') == std::string::npos)
      if (std::optional<std::string> path = sbcl::soname_path(name, search))
        out.push_back(*path);
  return out;
}

} // namespace

// A plain SBCL core is locked on the build id (the sbcl tag) of the runtime
// that would load it: the first of /usr/local/bin/sbcl and /usr/bin/sbcl
// inside the root (where `abitag sbcl --check --root` looks). An executable
// carries its own runtime: no lock on the sbcl package, whose rebuild it
// does not see. Both reopen foreign libraries by name when they start: each
// is locked on the sonames tag of the package owning the library.
void Locks::add_sbcl_needs(const PackageFiles &files, Needs &out) {
  std::unique_ptr<Analyzer> sbcl = builtin_registry().create("sbcl");
  if (!sbcl)
    return;
  bool has_core = false;
  for (const PackageFile &file : files.files) {
    bool executable = !file.tail.empty() && sbcl->adopts_appended(file.path, file.tail);
    bool plain = !is_elf(file) && sbcl->adopts(file.path, file.head);
    has_core |= plain;
    if (plain || executable)
      for (const std::string &library : reopened_libraries(root_, file.host_path))
        out[library].insert(kSonamesKey);
  }
  if (!has_core)
    return;
  for (const char *runtime : {"/usr/local/bin/sbcl", "/usr/bin/sbcl"}) {
    struct stat st;
    if (::stat((root_ == "/" ? std::string(runtime) : root_ + runtime).c_str(), &st) != 0)
      continue;
    out[runtime].insert("sbcl");
    return;
  }
}

// A package of out-of-tree modules is locked on the kmod tag of the kernel
// each module is installed for (/lib/modules/RELEASE/...): the package of
// its image or of its modules.builtin.
void Locks::add_kmod_needs(const PackageFiles &files, Needs &out) {
  std::unique_ptr<Analyzer> kmod = builtin_registry().create("kmod");
  if (!kmod)
    return;
  for (const PackageFile &file : files.files) {
    std::size_t tree = file.path.find("/lib/modules/");
    if (tree == std::string::npos || !kmod->adopts(file.path, file.head))
      continue;
    std::size_t start = tree + 13, end = file.path.find('/', start);
    if (end == std::string::npos)
      continue;
    std::string release = file.path.substr(start, end - start);
    for (std::string kernel_file : {"/boot/vmlinuz-" + release, file.path.substr(0, end) + "/modules.builtin"})
      out[kernel_file].insert("kmod");
  }
}

const std::vector<python::Interpreter> &Locks::python_interpreters() {
  std::call_once(python_read_, [&] {
    std::vector<InputError> unreadable; // the audit's python section reports them
    std::error_code error;
    std::filesystem::path root = std::filesystem::canonical(root_, error); // as installed_interpreters wants it
    if (!error)
      python_interpreters_ = python::installed_interpreters(root.string(), unreadable);
  });
  return python_interpreters_;
}

// A package's extension modules are locked on the python tag (the SOABI) of
// the package owning each installed interpreter that imports them, as
// `abitag python --check` finds it: the folder's Python version, the
// suffix, PyInit_ and the C API imported. An interpreter of another SOABI
// put in its place then shows the package as stale.
void Locks::add_python_needs(const PackageFiles &files, Needs &out) {
  std::unique_ptr<Analyzer> python = builtin_registry().create("python");
  if (!python)
    return;
  for (const PackageFile &file : files.files) {
    if (!is_elf(file) || !python->adopts(file.path, file.head) ||
        !python::suffix_claim(std::string(base_name(file.path))))
      continue;
    llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(file.host_path);
    if (!bytes) {
      llvm::consumeError(bytes.takeError()); // the analyzer read it: its problem was said then
      continue;
    }
    llvm::Expected<python::PythonElf> elf = python::read_python_elf(**bytes, file.path);
    if (!elf) {
      llvm::consumeError(elf.takeError());
      continue;
    }
    if (elf->runtime || !elf->shared_object)
      continue;
    for (const python::Interpreter *interpreter :
         python::check_extension(*elf, file.path, python_interpreters()).importers)
      if (!interpreter->binary.empty())
        out[interpreter->binary].insert("python");
  }
}

// A package's XS modules are locked on the perl tag of the package owning
// the Config.pm of the perl whose @INC holds each (the one `abitag perl
// --check` loads it with): a new perl version, archname or API version
// there makes them stale.
void Locks::add_perl_needs(const PackageFiles &files, Needs &out) {
  std::unique_ptr<Analyzer> perl = builtin_registry().create("perl");
  if (!perl)
    return;
  for (const PackageFile &file : files.files) {
    if (!is_elf(file) || !perl->adopts(file.path, file.head))
      continue;
    std::call_once(perls_read_, [&] {
      std::vector<InputError> errors; // a perl that cannot be read gives no locks; the audit reports it
      perls_ = perl::installed_perls(real_path(root_), errors);
    });
    std::string folder = perl::module_inc_folder(real_path(file.host_path));
    for (const perl::Perl &installed : perls_)
      if (std::find(installed.inc_host.begin(), installed.inc_host.end(), folder) != installed.inc_host.end()) {
        out[installed.config_pm].insert("perl");
        break;
      }
  }
}

// Each unit's depends name units registered in the same database as
// UNIT-ID.conf: the dependant is locked on that unit's tag (its key as the
// ghc analyzer makes it; none for a unit it tags not, such as rts).
void Locks::add_ghc_needs(const PackageFiles &files, Needs &out) {
  std::unique_ptr<Analyzer> ghc = builtin_registry().create("ghc");
  if (!ghc)
    return;
  for (const PackageFile &file : files.files) {
    if (!ghc->adopts(file.path, file.head))
      continue;
    // The unit's depends, as `abitag ghc --all --field depends` prints them.
    std::unique_ptr<Analyzer> reader = builtin_registry().create("ghc");
    AnalysisInputs inputs;
    llvm::Expected<tagger::TagArguments> parsed = tagger::parse_analyzer_arguments(
        *reader, {"--all", "--field", "depends", "--root", root_, "--", file.host_path}, inputs);
    if (!parsed) {
      llvm::consumeError(parsed.takeError());
      continue;
    }
    Analysis analysis = reader->analyze(inputs);
    std::istringstream units(analysis.value);
    for (std::string unit; units >> unit;) {
      std::string conf = parent_dir(file.path) + "/" + unit + ".conf";
      AdoptionTags tags = ghc->adoption_tags({root_ == "/" ? conf : root_ + conf}, root_);
      if (tags.tags.size() == 1 && tags.tags.front().key != ghc->name()) // read, and tagged
        out[conf].insert(tags.tags.front().key);
    }
  }
}

// Each unit's imported interfaces (with a digest: an alias-only import
// checks nothing) that the package does not define itself: the package
// installing the .cmi of that name (the one with the digest imported, as
// `abitag ocaml --check` picks it) is locked on by its ocaml tag.
void Locks::add_ocaml_needs(const PackageFiles &files, Needs &out) {
  std::unique_ptr<Analyzer> analyzer = builtin_registry().create("ocaml");
  if (!analyzer)
    return;
  std::vector<ocaml::OcamlFile> units;
  for (const PackageFile &file : files.files) {
    if (!analyzer->adopts(file.path, file.head))
      continue;
    llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(file.host_path);
    llvm::Expected<ocaml::OcamlFile> read = bytes ? ocaml::read_ocaml_file((*bytes)->getBuffer(), file.path)
                                                  : llvm::Expected<ocaml::OcamlFile>(bytes.takeError());
    if (read)
      units.push_back(std::move(*read));
    else
      llvm::consumeError(read.takeError()); // the analyzer reports it when it makes the tag
  }
  if (units.empty())
    return;
  std::call_once(ocaml_once_, [&] {
    std::vector<InputError> unreadable; // the audit's ocaml section reports them
    ocaml_installed_ = std::make_unique<ocaml::Installed>(ocaml::installed_units(root_, unreadable));
  });
  std::set<std::string> own;
  for (const ocaml::OcamlFile &file : units)
    for (const ocaml::CompilationUnit &unit : file.units)
      own.insert(unit.name);
  for (const ocaml::OcamlFile &file : units)
    for (const ocaml::CompilationUnit &unit : file.units)
      for (const ocaml::Import &import : unit.interfaces)
        if (!import.crc.empty() && !own.count(import.name))
          if (const ocaml::InstalledUnit *provider = ocaml::provider(import, *ocaml_installed_))
            out[provider->path].insert("ocaml");
}

} // namespace abitag::adopt
