// SPDX-License-Identifier: MIT
// The qt section: every ELF program and library under ROOT that uses Qt's
// private API (it needs a Qt_*_PRIVATE_API version, which the ELF scan has
// read already), its Qt library found as the linkage section's model of
// ld.so finds it inside ROOT, both read by analyzers/qt, and judged as
// `abitag qt --check` judges them, but for the weight of a version that
// differs:
//  - the library lacks the private version or a private symbol the file
//    imports: broken now (the loader refuses it, as linkage says too);
//  - a lock in the tag store under ROOT says what the file's package was
//    built against (its lock on the library's package, key qt or a key the
//    qt analyzer tagged): another Qt version installed is broken now, the
//    same is fine, whatever .qtversion says;
//  - without a lock, the version the file records (.qtversion, the
//    mangled QtPrivate_M_m_p) differs from the library's, or either is
//    unknown: at risk. Qt checks nothing itself there: the private API has
//    no promise between patch releases, yet many such pairs still work.
// A library that is not found is the linkage section's missing library.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "analyzers/qt/qt.h"
#include "audit/loader.h"
#include "audit/section.h"
#include "fingerprint/parallel.h"
#include "packages/specs.h"
#include "tagger/store.h"

namespace abitag::audit {
namespace {

bool uses_private_api(const ElfFacts &facts) {
  for (const VersionNeed &need : facts.version_needs)
    for (const std::string &version : need.versions)
      if (qt::parse_private_tag(version))
        return true;
  return false;
}

// The library USER's DT_NEEDED entry SONAME loads: ld.so takes an object
// already in the scope that answers to that name.
const ElfEntry *provider_in(const Closure &closure, const std::string &soname) {
  for (std::size_t i = 1; i < closure.scope.size(); ++i) {
    const ElfEntry *entry = closure.scope[i];
    if (entry->facts.soname == soname || entry->path.substr(entry->path.rfind('/') + 1) == soname)
      return entry;
  }
  return nullptr;
}

// The locks that record what a package using the private API was built
// against: from the tag store under ROOT, read once, when a user is found.
class QtLocks {
public:
  explicit QtLocks(AuditContext &context) : context_(context) {}

  // The lock of an owner of USER on an owner of LIBRARY (paths inside
  // ROOT), if the store holds one.
  const tagger::Lock *find(const std::string &user, const std::string &library) {
    load();
    const packages::OwnerIndex &index = context_.owners().index();
    std::vector<const packages::Package *> users = index.owners(user), libraries = index.owners(library);
    auto names = [&](const std::string &id, const std::vector<const packages::Package *> &owners) {
      for (const packages::Package *package : packages::packages_for_id(index, id))
        if (std::find(owners.begin(), owners.end(), package) != owners.end())
          return true;
      return false;
    };
    for (const tagger::Lock &lock : locks_)
      if (names(lock.package, users) && names(lock.dependency, libraries))
        return &lock;
    return nullptr;
  }
  const std::string &store_problem() const { return problem_; }

private:
  void load() {
    if (std::exchange(loaded_, true))
      return;
    llvm::Expected<std::string> host = resolve_under_root(context_.root(), context_.tag_store());
    if (!host) {
      llvm::consumeError(host.takeError()); // no store: no locks (the tags section says so)
      return;
    }
    llvm::Expected<std::unique_ptr<tagger::Store>> store = tagger::Store::open_untouched(*host);
    if (!store) {
      problem_ = to_message(store.takeError()); // the tags section reports it as a finding
      return;
    }
    if (llvm::Error e = read_locks(**store))
      problem_ = to_message(std::move(e));
  }

  llvm::Error read_locks(tagger::Store &store) {
    if (llvm::Error e = store.begin_read())
      return e;
    llvm::Expected<std::vector<tagger::Tag>> tags = store.tags();
    if (!tags)
      return tags.takeError();
    llvm::Expected<std::vector<tagger::Lock>> locks = store.locks();
    if (!locks)
      return locks.takeError();
    std::set<std::pair<std::string, std::string>> qt_tags; // package, key
    for (const tagger::Tag &tag : *tags)
      if (tag.source == "qt")
        qt_tags.insert({tag.package, tag.key});
    for (tagger::Lock &lock : *locks)
      if (lock.key == "qt" || qt_tags.count({lock.dependency, lock.key}))
        locks_.push_back(std::move(lock));
    return llvm::Error::success();
  }

  AuditContext &context_;
  bool loaded_ = false;
  std::vector<tagger::Lock> locks_;
  std::string problem_;
};

// Whether the tag value LOCKED (versions joined by ',') holds VERSION.
bool lists_version(const std::string &locked, const std::string &version) {
  std::size_t start = 0;
  while (start <= locked.size()) {
    std::size_t comma = std::min(locked.size(), locked.find(',', start));
    if (locked.compare(start, comma - start, version) == 0 && comma - start == version.size())
      return true;
    start = comma + 1;
  }
  return false;
}

struct User {
  const ElfEntry *entry = nullptr;
  std::optional<qt::QtFile> file;
  std::string failure;
};

struct Counts {
  std::size_t users = 0, uses = 0, broken = 0, at_risk = 0, locked = 0;
};

const char *kind_of(qt::Problem problem) {
  switch (problem) {
  case qt::Problem::MissingVersion: return "missing-private-version";
  case qt::Problem::MissingSymbol: return "missing-private-symbol";
  case qt::Problem::VersionDiffers: return "version-differs";
  case qt::Problem::VersionUnknown: return "version-unknown";
  case qt::Problem::NotFound: return "library-not-found";
  case qt::Problem::Unreadable: return "unreadable-library";
  }
  return "?";
}

class QtSection final : public AuditSection {
public:
  std::string_view name() const override { return "qt"; }
  std::string_view description() const override {
    return "users of Qt's private API against the Qt library they load: broken now when a lock says they were "
           "built against another version, at risk when only .qtversion says so";
  }

  SectionReport run(AuditContext &context) override {
    SectionReport out;
    ElfScan &scan = context.elf_scan();
    std::vector<User> users;
    for (std::size_t i = 0; i < scan.walked(); ++i)
      if (uses_private_api(scan.entries()[i].facts))
        users.push_back({&scan.entries()[i], std::nullopt, {}});
    parallel_for(users.size(), [&](std::size_t i) {
      llvm::Expected<qt::QtFile> file = qt::read_qt_file(users[i].entry->host_path);
      if (!file)
        users[i].failure = to_message(file.takeError());
      else
        users[i].file = std::move(*file);
    });
    Counts counts;
    QtLocks locks(context);
    if (users.empty()) { // nothing more to read: no ld.so.conf, no tag store
      summarize(counts, locks, out);
      return out;
    }
    Loaders loaders(scan, context.sysroots()); // a Qt user in a sysroot finds its Qt there
    for (User &user : users) {
      if (!user.file) {
        out.findings.push_back({Severity::AtRisk, "qt", "unreadable-user", user.entry->path,
                                "cannot read its Qt version: " + user.failure, {}, nlohmann::ordered_json::object()});
        continue;
      }
      user.file->path = user.entry->path;
      ++counts.users;
      check_user(context, *user.entry, *user.file, loaders, locks, counts, out);
    }
    summarize(counts, locks, out);
    return out;
  }

private:
  void check_user(AuditContext &context, const ElfEntry &entry, const qt::QtFile &user, Loaders &loaders, QtLocks &locks,
                  Counts &counts, SectionReport &out) {
    Closure closure = loaders.for_file(entry).load_closure(entry);
    for (const qt::PrivateUse &use : user.private_uses) {
      ++counts.uses;
      const ElfEntry *library = provider_in(closure, use.library);
      if (!library)
        continue; // a missing library: the linkage section's finding
      const qt::Provider &provider = provider_at(*library);
      std::optional<qt::Finding> found;
      if (!provider.file)
        found = qt::Finding{qt::Severity::AtRisk, qt::Problem::Unreadable, use.library, use.tag, provider.path, {}, {},
                            "cannot read " + use.library + " (" + provider.path + "): " + provider.problem};
      else
        found = qt::check_private_use(user, use, provider);
      bool missing = found && (found->problem == qt::Problem::MissingVersion ||
                               found->problem == qt::Problem::MissingSymbol);
      const tagger::Lock *lock = missing || !provider.file ? nullptr : locks.find(user.path, provider.path);
      if (lock) {
        ++counts.locked;
        found = judge_by_lock(*lock, use, provider);
      }
      if (found)
        add_finding(context, user, use, *found, lock, counts, out);
    }
  }

  // What a lock says: the versions the user's package was built against,
  // as the tag of the library's package was then.
  static std::optional<qt::Finding> judge_by_lock(const tagger::Lock &lock, const qt::PrivateUse &use,
                                                  const qt::Provider &provider) {
    qt::KnownVersion installed = qt::provided_version(*provider.file);
    std::string where = use.library + " (" + provider.path + ")";
    std::string locked = "Qt " + lock.value + " (the lock of " + lock.package + " on " + lock.dependency + " " +
                         lock.key + ")";
    qt::Finding f{qt::Severity::Broken, qt::Problem::VersionDiffers, use.library, use.tag, provider.path, {},
                  installed, {}};
    if (!installed.version) {
      f.severity = qt::Severity::AtRisk;
      f.problem = qt::Problem::VersionUnknown;
      f.detail = "built against " + locked + ", but the Qt version of " + where + " is unknown";
      return f;
    }
    if (lists_version(lock.value, installed.text()))
      return std::nullopt;
    f.detail = "built against " + locked + ", but " + where + " is " + installed.described();
    return f;
  }

  void add_finding(AuditContext &context, const qt::QtFile &user, const qt::PrivateUse &use, const qt::Finding &f,
                   const tagger::Lock *lock, Counts &counts, SectionReport &out) {
    // Only the loader's refusal and a lock make it certain; a version read
    // from the file itself, without a lock, is at risk (see above).
    bool broken = f.severity == qt::Severity::Broken &&
                  (lock || f.problem == qt::Problem::MissingVersion || f.problem == qt::Problem::MissingSymbol);
    ++(broken ? counts.broken : counts.at_risk);
    nlohmann::ordered_json details = {
        {"library", use.library},
        {"library_path", f.provider_path},
        {"tag", use.tag},
        {"built_against", {{"version", f.built_against.text()}, {"source", qt::source_name(f.built_against.source)}}},
        {"installed", {{"version", f.installed.text()}, {"source", qt::source_name(f.installed.source)}}},
        {"lock", lock ? nlohmann::ordered_json{{"package", lock->package},
                                               {"dependency", lock->dependency},
                                               {"key", lock->key},
                                               {"value", lock->value}}
                      : nlohmann::ordered_json()}};
    out.findings.push_back({broken ? Severity::BrokenNow : Severity::AtRisk, "qt", kind_of(f.problem), user.path,
                            f.detail, {context.owners().describe(user.path)}, std::move(details)});
  }

  // The library at ENTRY read by analyzers/qt, once.
  const qt::Provider &provider_at(const ElfEntry &entry) {
    auto [it, added] = providers_.try_emplace(entry.path);
    qt::Provider &provider = it->second;
    if (!added)
      return provider;
    provider.path = entry.path;
    llvm::Expected<qt::QtFile> file = qt::read_qt_file(entry.host_path);
    if (!file) {
      provider.problem = to_message(file.takeError());
      return provider;
    }
    provider.exports.insert(file->private_exports.begin(), file->private_exports.end());
    provider.file = std::move(*file);
    return provider;
  }

  static void summarize(const Counts &counts, const QtLocks &locks, SectionReport &out) {
    std::string line = std::to_string(counts.users) + " users of Qt's private API (" + std::to_string(counts.uses) +
                       " uses, " + std::to_string(counts.locked) + " with a lock), " + std::to_string(counts.broken) +
                       " broken, " + std::to_string(counts.at_risk) + " at risk";
    if (!locks.store_problem().empty())
      line += "; locks not read: " + locks.store_problem();
    out.summary_lines.push_back(line);
    out.summary = {{"users", counts.users},       {"uses", counts.uses},       {"locked", counts.locked},
                   {"broken", counts.broken},     {"at_risk", counts.at_risk}};
  }

  std::map<std::string, qt::Provider> providers_;
};

} // namespace

std::unique_ptr<AuditSection> make_qt_section() { return std::make_unique<QtSection>(); }

} // namespace abitag::audit
