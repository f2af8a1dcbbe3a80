// SPDX-License-Identifier: MIT
#include "adopt/adopt.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

#include "adopt/locks.h"
#include "adopt/package_lookup.h"
#include "analyzers/registry.h"
#include "audit/elf_facts.h"
#include "audit/progress.h"
#include "fingerprint/analyzer.h"
#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"
#include "packages/owner_index.h"
#include "tagger/analyzer_arguments.h"
#include "tagger/names.h"

namespace abitag::adopt {

std::string store_id(const packages::PackageId &id) {
  switch (id.manager) {
  case packages::Manager::dpkg:
    return id.qualified_name();
  case packages::Manager::rpm:
    return id.architecture.empty() ? id.name : id.name + "." + id.architecture;
  case packages::Manager::pacman:
    return id.name;
  case packages::Manager::vdb:
  case packages::Manager::exndbam:
    return id.short_name();
  }
  return id.name;
}

namespace {

// Adopting runs in phases (the analyses, then each round's ELF scan), each
// on many threads. glibc keeps what a thread's arena freed for that arena,
// so one phase's peak stayed counted through the next; and it raises its
// threshold for mapping a block on its own to the largest block freed, so
// the symbol tables of later large files stayed in the arenas too (half of
// adopting's peak memory, measured on a whole Debian system). Large blocks
// are always mapped on their own (from glibc's starting threshold, 128
// KiB), and what the arenas hold free is given back after each phase.
void map_large_blocks() {
#ifdef __GLIBC__
  ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}
void give_back_freed_memory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// The first bytes of PATH, and of an ELF file its last ones too (what is
// appended to a program: Analyzer::adopts_appended), or false with why.
bool read_ends(const std::string &path, PackageFile &file, std::string &why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    why = std::strerror(errno);
    return false;
  }
  file.head.assign(kAdoptionHeadBytes, '\0');
  ssize_t got = ::read(fd, file.head.data(), file.head.size());
  struct stat st;
  if (got >= 4 && file.head.compare(0, 4, "\x7f" "ELF") == 0 && ::fstat(fd, &st) == 0 &&
      st.st_size >= static_cast<off_t>(kAdoptionTailBytes)) {
    file.tail.assign(kAdoptionTailBytes, '\0');
    if (::pread(fd, file.tail.data(), kAdoptionTailBytes, st.st_size - kAdoptionTailBytes) !=
        static_cast<ssize_t>(kAdoptionTailBytes))
      got = -1;
  }
  int saved = errno;
  ::close(fd);
  if (got < 0) {
    why = std::strerror(saved);
    return false;
  }
  file.head.resize(static_cast<std::size_t>(got));
  return true;
}

// Reads the first bytes of the regular files OUT's package owns; returns why
// the package is skipped, or nothing.
std::string read_files(const std::string &root, PackageFiles &out) {
  const packages::Package &package = *out.package;
  const packages::OwnerIndex &index = *out.index;
  std::size_t listed = 0, gone = 0;
  for (std::size_t i = 0; i < package.files.size(); ++i) {
    packages::EntryType type = package.files[i].type;
    if (type == packages::EntryType::directory || type == packages::EntryType::symlink)
      continue;
    std::string inside = index.placed_path(package, i);
    std::string host = root == "/" ? inside : root + inside;
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) {
      if (errno != ENOENT && errno != ENOTDIR)
        return inside + ": " + std::strerror(errno);
      // dpkg's path-exclude leaves listed files out on purpose: only a
      // package whose files are all gone is skipped.
      ++listed, ++gone;
      continue;
    }
    if (!S_ISREG(st.st_mode))
      continue;
    ++listed;
    PackageFile file{inside, host, {}, {}};
    std::string why;
    if (!read_ends(host, file, why))
      return inside + ": " + why;
    out.files.push_back(std::move(file));
  }
  if (listed && gone == listed)
    return "its files are gone (" + std::to_string(gone) + " listed, none on disk)";
  return {};
}

// The tag KEY of ANALYZER on PATHS, added to FILES' tags unless the
// analysis found nothing; returns why the package is skipped, or nothing.
std::string run_analyzer(const std::string &root, Analyzer &analyzer, const std::string &key,
                         const std::vector<std::string> &paths, PackageFiles &files) {
  std::vector<std::string> args = analyzer.adoption_options();
  args.insert(args.end(), {"--root", root, "--"});
  args.insert(args.end(), paths.begin(), paths.end());
  AnalysisInputs inputs;
  llvm::Expected<tagger::TagArguments> recorded = tagger::parse_analyzer_arguments(analyzer, args, inputs);
  if (!recorded)
    return std::string(analyzer.name()) + ": " + to_message(recorded.takeError());
  Analysis analysis = analyzer.analyze(inputs);
  if (!analysis.errors.empty())
    return path_inside_root(root, analysis.errors.front().path) + ": " + analysis.errors.front().reason;
  if (!analysis.failure.empty())
    return std::string(analyzer.name()) + ": " + analysis.failure;
  if (tagger::invalid_value(analysis.value) || analyzer.found_nothing(analysis))
    return {}; // no value: never an empty tag
  files.tags.push_back({files.id, key, analysis.value, std::string(analyzer.name()), now(), std::move(*recorded)});
  return {};
}

bool adopted_by(const Analyzer &analyzer, const PackageFile &file) {
  return analyzer.adopts(file.path, file.head) || (!file.tail.empty() && analyzer.adopts_appended(file.path, file.tail));
}

// Runs every analyzer that reads some of the package's files on them: once
// per tag it makes of them (a fresh analyzer each, as options are parsed
// into it).
// Then keeps only the files some analyzer reads, which are all the locks
// look at: most of a system's files are none, and a whole system's held
// until its locks are made cost tens of MiB.
std::string run_analyzers(const std::string &root, PackageFiles &files) {
  std::vector<bool> read(files.files.size(), false);
  for (const AnalyzerFactory &factory : builtin_registry().analyzers()) {
    std::unique_ptr<Analyzer> analyzer = factory();
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < files.files.size(); ++i)
      if (adopted_by(*analyzer, files.files[i])) {
        paths.push_back(files.files[i].host_path);
        read[i] = true;
      }
    if (paths.empty())
      continue;
    AdoptionTags made = analyzer->adoption_tags(paths, root);
    for (const InputError &left : made.left_out)
      files.left_out.push_back({path_inside_root(root, left.path), std::string(analyzer->name()), left.reason});
    for (const AdoptionTag &tag : made.tags)
      if (std::string problem = run_analyzer(root, *factory(), tag.key, tag.paths, files); !problem.empty())
        return problem;
  }
  std::vector<PackageFile> kept;
  for (std::size_t i = 0; i < files.files.size(); ++i)
    if (read[i])
      kept.push_back(std::move(files.files[i]));
  files.files = std::move(kept);
  return {};
}

// The sonames tag's value: the sonames of the ELF files, sorted, comma-separated.
std::string sonames_of(const std::vector<PackageFile> &files) {
  std::string out;
  std::set<std::string> sonames;
  for (const PackageFile &file : files) {
    if (file.head.compare(0, 4, "\x7f" "ELF") != 0)
      continue;
    auto facts = audit::read_loader_facts(file.host_path);
    if (!facts)
      llvm::consumeError(facts.takeError()); // not the sonames' business: an analyzer reports it
    else if (!facts->soname.empty())
      sonames.insert(facts->soname);
  }
  for (const std::string &soname : sonames)
    out += (out.empty() ? "" : ",") + soname;
  return out;
}

// The installed packages ID names: a store id, or a name in the manager's terms.
std::vector<const packages::Package *> packages_called(const packages::OwnerIndex &index, const std::string &id) {
  std::vector<const packages::Package *> out = index.packages_named(id);
  if (!out.empty())
    return out;
  for (const packages::Database &database : index.databases())
    for (const packages::Package &package : database.packages)
      if (store_id(package.id) == id)
        out.push_back(&package);
  return out;
}

bool called_one_of(const packages::PackageId &id, const std::set<std::string> &names) {
  return names.count(id.name) || names.count(id.qualified_name()) || names.count(store_id(id));
}

// At most a given number of holders at once.
class Slots {
public:
  explicit Slots(std::size_t count) : free_(count) {}
  void take() {
    std::unique_lock<std::mutex> lock(mutex_);
    freed_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void give() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++free_;
    }
    freed_.notify_one();
  }

private:
  std::mutex mutex_;
  std::condition_variable freed_;
  std::size_t free_;
};

// Reads the files of PACKAGES and runs the analyzers. The first bytes of
// the files are read on more threads than cores (they wait on the disk);
// the analyses run one per core at most, each on all cores (cxxabi reads a
// package's files in parallel). Analyses hold large files' symbol tables:
// as many at once as reading threads made adopting peak above the audit.
void adopt_packages(const std::string &root, std::vector<PackageFiles> &round, audit::Progress &progress) {
  progress.begin("adopting", round.size());
  Slots analyses(core_threads());
  parallel_for(
      round.size(),
      [&](std::size_t i) {
        PackageFiles &files = round[i];
        files.problem = read_files(root, files);
        if (files.problem.empty()) {
          analyses.take();
          files.problem = run_analyzers(root, files);
          analyses.give();
        }
        progress.advance();
      },
      io_threads());
  progress.end();
}

} // namespace

namespace {

using Chosen = std::vector<std::pair<const packages::Package *, const packages::OwnerIndex *>>;

// The packages to adopt first: every installed one, or those OPTIONS names
// (a name installed nowhere is a problem of the plan).
Chosen choose_packages(const AdoptOptions &options, const packages::OwnerIndex &index, Plan &out) {
  Chosen chosen;
  for (const packages::Database &database : index.databases())
    for (const packages::Package &package : database.packages) {
      out.installed.insert(store_id(package.id));
      if (options.packages.empty())
        chosen.push_back({&package, &index});
    }
  for (const std::string &id : options.packages) {
    std::vector<const packages::Package *> found = packages_called(index, id);
    if (found.empty())
      out.problems.push_back({id, "not installed under " + options.root});
    for (const packages::Package *package : found) {
      out.named.insert(store_id(package->id));
      chosen.push_back({package, &index});
    }
  }
  return chosen;
}

// Adopts CHOSEN, then round by round the providers of the libraries a
// round's files load that the store knows nothing of.
llvm::Error adopt_rounds(const AdoptOptions &options, PackageLookup &lookup, Chosen chosen, Locks &locks,
                         Plan &out) {
  audit::Progress progress(options.progress);
  while (!chosen.empty()) {
    std::vector<PackageFiles> round;
    for (const auto &[package, in] : chosen)
      if (out.adopted.insert(store_id(package->id)).second)
        round.push_back({package, in, store_id(package->id), {}, {}, {}, {}});
    adopt_packages(options.root, round, progress);
    give_back_freed_memory();
    for (PackageFiles &files : round) {
      if (!files.problem.empty())
        out.problems.push_back({files.id, files.problem});
      if (!files.left_out.empty())
        out.left_out[files.id] = std::move(files.left_out);
    }
    llvm::Expected<std::set<std::string>> unknown = locks.add_round(round, progress);
    give_back_freed_memory();
    if (!unknown)
      return unknown.takeError();
    chosen.clear();
    if (unknown->empty())
      break;
    const packages::OwnerIndex &providers =
        lookup.with_packages([&](const packages::PackageId &id) { return unknown->count(store_id(id)) > 0; });
    for (const packages::Database &database : providers.databases())
      for (const packages::Package &package : database.packages)
        if (unknown->count(store_id(package.id)))
          chosen.push_back({&package, &providers});
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::vector<tagger::Tag>>
tags_of_files(const std::string &root, const std::string &id,
              const std::vector<std::pair<std::string, std::string>> &files) {
  PackageFiles out{nullptr, nullptr, id, {}, {}, {}, {}};
  for (const auto &[inside, host] : files) {
    PackageFile file{inside, host, {}, {}};
    std::string why;
    if (!read_ends(host, file, why))
      return input_errors({{inside, why}});
    out.files.push_back(std::move(file));
  }
  // Read before run_analyzers keeps only the files an analyzer reads.
  std::string sonames = sonames_of(out.files);
  if (std::string problem = run_analyzers(root, out); !problem.empty())
    return make_error(problem);
  if (!sonames.empty())
    out.tags.push_back({id, kSonamesKey, sonames, kSonamesSource, now(), std::nullopt});
  return std::move(out.tags);
}

llvm::Expected<Plan> plan(const AdoptOptions &options, tagger::Store &store) {
  map_large_blocks();
  PackageLookup lookup(options.root, /*whole=*/options.packages.empty());
  if (!lookup.found())
    return make_error(options.root + ": no package database found (dpkg, exndbam, VDB, pacman or rpm)");
  Plan out;
  std::set<std::string> names(options.packages.begin(), options.packages.end());
  const packages::OwnerIndex &index =
      lookup.with_packages([&](const packages::PackageId &id) { return called_one_of(id, names); });
  Chosen chosen = choose_packages(options, index, out);
  Locks locks(options.root, lookup, store);
  if (llvm::Error e = adopt_rounds(options, lookup, std::move(chosen), locks, out))
    return llvm::Expected<Plan>(std::move(e)); // spelled out: C++17 (the fuzz build) moves no Error into an Expected by itself
  std::vector<InputError> damaged;
  for (const packages::DamagedEntry &entry : lookup.take_problems())
    damaged.push_back({entry.entry, entry.reason});
  out.problems.insert(out.problems.begin(), damaged.begin(), damaged.end());
  for (tagger::Tag &tag : locks.take_tags())
    out.tags.push_back(std::move(tag));
  llvm::Expected<std::vector<tagger::Lock>> made = locks.take_locks();
  if (!made)
    return made.takeError();
  out.locks = std::move(*made);
  return out;
}

} // namespace abitag::adopt
