// SPDX-License-Identifier: MIT
// rpm's database through librpm, never by decoding its header blobs here:
// librpm knows every backend (sqlite, BerkeleyDB, ndb), the header format and
// its regions, checks each header's digest, and shares a live database with
// rpm itself correctly. librpm and librpmio (rpm's lib/ and rpmio/) may be
// taken under LGPL-2.0-or-later instead of the GPL (rpm's COPYING); abitag
// takes them under the LGPL and links them dynamically (packages/CMakeLists.txt).
//
// librpm's state is global: its configuration (read once), its macros (the
// database location is one) and its log. Reading is serialised, and librpm's
// messages are collected into the error or the damaged entries rather than
// printed on stderr.
#include "packages/rpm.h"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <sys/stat.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmds.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>

#include "fingerprint/errors.h"
#include "fingerprint/paths.h"

namespace abitag::packages {

namespace {

// Where the database is inside the root, and which backend wrote it. Named
// explicitly so librpm neither guesses (and logs that it did) nor uses
// Debian's default %_dbpath, ~/.rpmdb.
struct RpmLocation {
  std::string dbpath;  // "/usr/lib/sysimage/rpm"
  std::string backend; // "sqlite"
  std::string file;    // "rpmdb.sqlite", in dbpath
};

bool is_real_dir(const std::string &path) {
  struct stat status;
  return ::lstat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode);
}

bool is_file(const std::string &path) {
  struct stat status;
  return ::stat(path.c_str(), &status) == 0 && S_ISREG(status.st_mode);
}

// usr/lib/sysimage/rpm first: where Fedora 36 and later and openSUSE keep
// it, with var/lib/rpm a link to it. A linked folder is passed over: an
// absolute link would lead out of the root, to the host's database.
std::optional<RpmLocation> find_rpm_database(const std::string &root) {
  static const std::pair<const char *, const char *> kBackends[] = {
      {"rpmdb.sqlite", "sqlite"}, {"Packages.db", "ndb"}, {"Packages", "bdb_ro"}};
  for (const char *dbpath : {"/usr/lib/sysimage/rpm", "/var/lib/rpm"}) {
    std::string dir = join_path(root, dbpath + 1);
    if (!is_real_dir(dir))
      continue;
    for (const auto &[file, backend] : kBackends)
      if (is_file(join_path(dir, file)))
        return RpmLocation{dbpath, backend, file};
  }
  return std::nullopt;
}

// librpm's messages while a database is read (warnings and errors; less
// urgent ones are masked off), for the error or the damaged entries.
std::vector<std::string> *log_sink = nullptr; // set while rpm_mutex is held

int collect_log(rpmlogRec record, rpmlogCallbackData) {
  if (log_sink) {
    std::string message = rpmlogRecMessage(record);
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    log_sink->push_back(std::move(message));
  }
  return 0; // never RPMLOG_DEFAULT: librpm prints nothing of its own
}

std::mutex rpm_mutex;

// Once a process: the log first, so that reading the configuration (rpmrc,
// the macro files) prints nothing either.
llvm::Error initialise_librpm() {
  static std::once_flag once;
  static int status = 0;
  std::call_once(once, [] {
    rpmlogSetCallback(collect_log, nullptr);
    rpmlogSetMask(RPMLOG_UPTO(RPMLOG_WARNING));
    status = rpmReadConfigFiles(nullptr, nullptr);
  });
  if (status != 0)
    return make_error("librpm could not read its configuration (rpmrc and macro files)");
  return llvm::Error::success();
}

// A macro defined for one read, and popped after it.
class ScopedMacro {
public:
  ScopedMacro(const char *name, const std::string &value) : name_(name) {
    rpmPushMacro(nullptr, name_, nullptr, value.c_str(), RMIL_CMDLINE);
  }
  ~ScopedMacro() { rpmPopMacro(nullptr, name_); }
  ScopedMacro(const ScopedMacro &) = delete;
  ScopedMacro &operator=(const ScopedMacro &) = delete;

private:
  const char *name_;
};

// Why the database could not be opened: librpm's first message, which is
// the cause ("sqlite failure: ...: file is not a database"; those after it
// say what failed in turn), without the file's name when it starts with it.
std::string open_failure(const std::vector<std::string> &messages, const std::string &database_file) {
  if (messages.empty())
    return "cannot open the rpm database";
  std::string_view cause = messages.front();
  if (cause.substr(0, database_file.size() + 2) == database_file + ": ")
    cause.remove_prefix(database_file.size() + 2);
  return std::string(cause);
}

// Whether librpm opened DATABASE_FILE: given a backend it was built
// without (Debian's has no ndb), it opens an empty stand-in instead.
bool opened_the_file(rpmts transaction, const std::string &database_file) {
  struct stat opened, expected;
  return rpmdbFStat(rpmtsGetRdb(transaction), &opened) == 0 && ::stat(database_file.c_str(), &expected) == 0 &&
         opened.st_dev == expected.st_dev && opened.st_ino == expected.st_ino;
}

std::string header_string(Header header, rpmTagVal tag) {
  const char *value = headerGetString(header, tag);
  return value ? value : "";
}

EntryType entry_type(rpm_mode_t mode) {
  if (S_ISREG(mode))
    return EntryType::file;
  if (S_ISDIR(mode))
    return EntryType::directory;
  if (S_ISLNK(mode))
    return EntryType::symlink;
  return EntryType::other;
}

// What `rpm -qR` prints: "name", or "name op [epoch:]version[-release]".
std::vector<std::string> requires_of(Header header) {
  std::vector<std::string> requirements;
  rpmds dependencies = rpmdsNew(header, RPMTAG_REQUIRENAME, 0);
  while (rpmdsNext(dependencies) >= 0) {
    const char *formatted = rpmdsDNEVR(dependencies); // "R name op evr": its type letter first
    if (formatted && std::strlen(formatted) > 2)
      requirements.emplace_back(formatted + 2);
  }
  rpmdsFree(dependencies);
  return requirements;
}

// The paths (rpm stores each as folder and base name), modes and link
// targets; what a query needs, without the digests and the rest.
FileList files_of(Header header) {
  FileList entries;
  rpmfiles files = rpmfilesNew(nullptr, header, RPMTAG_BASENAMES,
                               RPMFI_FLAGS_QUERY | RPMFI_NOFILEDIGESTS | RPMFI_NOFILESIGNATURES |
                                   RPMFI_NOVERITYSIGNATURES | RPMFI_NOFILECAPS);
  rpmfi file = rpmfilesIter(files, RPMFI_ITER_FWD);
  while (rpmfiNext(file) >= 0) {
    FileEntry entry;
    entry.path = rpmfiFN(file);
    entry.type = entry_type(rpmfiFMode(file));
    if (entry.type == EntryType::symlink)
      if (const char *target = rpmfiFLink(file))
        entry.link_target = target;
    entries.push_back(entry);
  }
  rpmfiFree(file);
  rpmfilesFree(files);
  entries.shrink_to_fit();
  return entries;
}

Package package_of(Header header, const std::string &entry) {
  Package package;
  package.id.manager = Manager::rpm;
  package.id.name = header_string(header, RPMTAG_NAME);
  // RPMTAG_EVR: "1:1.2-3", the epoch only when the package has one.
  std::unique_ptr<char, decltype(&std::free)> evr(headerGetAsString(header, RPMTAG_EVR), std::free);
  package.id.version = evr ? evr.get() : "";
  package.id.architecture = header_string(header, RPMTAG_ARCH);
  package.id.source = header_string(header, RPMTAG_SOURCERPM);
  package.dependencies = requires_of(header);
  package.files = files_of(header);
  package.entry = entry;
  return package;
}

// Every header of the opened database. A header librpm cannot read (a bad
// digest, a broken blob) is skipped by librpm with a message: each becomes a
// damaged entry.
void read_headers(rpmts transaction, const std::string &database_file, Database &database,
                  std::vector<std::string> &log) {
  rpmdbMatchIterator iterator = rpmtsInitIterator(transaction, RPMDBI_PACKAGES, nullptr, 0);
  while (Header header = rpmdbNextIterator(iterator)) {
    std::string entry = database_file + "#" + std::to_string(rpmdbGetIteratorOffset(iterator));
    database.packages.push_back(package_of(header, entry));
  }
  rpmdbFreeIterator(iterator);
  for (std::string &message : log)
    database.damaged.push_back({database_file, std::move(message)});
  log.clear();
}

} // namespace

bool has_rpm(const std::string &root) { return find_rpm_database(root).has_value(); }

llvm::Expected<Database> read_rpm(const std::string &root) {
  std::optional<RpmLocation> location = find_rpm_database(root);
  if (!location)
    return make_error(join_path(root, "var/lib/rpm") + ": no rpm database (nor in usr/lib/sysimage/rpm)");
  std::string database_file = join_path(join_path(root, location->dbpath.substr(1)), location->file);
  if (llvm::Error error = initialise_librpm())
    return make_error(database_file + ": " + to_message(std::move(error)));

  std::lock_guard<std::mutex> lock(rpm_mutex);
  std::vector<std::string> log;
  log_sink = &log;
  struct StopCollecting {
    ~StopCollecting() { log_sink = nullptr; }
  } stop_collecting;
  ScopedMacro dbpath("_dbpath", location->dbpath), backend("_db_backend", location->backend);
  std::unique_ptr<std::remove_pointer_t<rpmts>, decltype(&rpmtsFree)> transaction(rpmtsCreate(), rpmtsFree);
  std::string absolute_root = std::filesystem::absolute(root).string(); // librpm wants an absolute root
  if (rpmtsSetRootDir(transaction.get(), absolute_root.c_str()) != 0 ||
      rpmtsOpenDB(transaction.get(), O_RDONLY) != 0)
    return make_error(database_file + ": " + open_failure(log, database_file));
  if (!opened_the_file(transaction.get(), database_file))
    return make_error(database_file + ": librpm here cannot read " + location->backend + " databases");
  log.clear(); // warnings that did not keep it from opening

  Database database;
  database.manager = Manager::rpm;
  database.location = location->dbpath + "/" + location->file;
  read_headers(transaction.get(), database_file, database, log);
  return database;
}

} // namespace abitag::packages
