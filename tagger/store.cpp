// SPDX-License-Identifier: MIT
#include "tagger/store.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string_view>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "fingerprint/errors.h"
#include "fingerprint/json_text.h"
#include "tagger/names.h"

namespace abitag::tagger {
namespace {

// How long a writer waits for the others before giving up. Parallel installs
// each hold the lock for milliseconds; a minute covers a slow disk.
constexpr int kBusyTimeoutMs = 60'000;

// Each step takes a store from version N to N+1. Never edit a step that has
// shipped: stores in the field are at every version.
constexpr const char *kUpgrades[] = {
    // 0 -> 1: tags and locks.
    "CREATE TABLE tags (package TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    " source TEXT NOT NULL, time INTEGER NOT NULL, PRIMARY KEY (package, key)) WITHOUT ROWID;"
    "CREATE TABLE locks (package TEXT NOT NULL, dependency TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, time INTEGER NOT NULL, PRIMARY KEY (package, dependency, key)) WITHOUT ROWID;",
    // 1 -> 2: the checker walks locks from a dependency to its dependants.
    "CREATE INDEX locks_by_dependency ON locks (dependency, key);",
    // 2 -> 3: what an analyzer was run on (TagArguments as JSON), so that the
    // audit can run it again; NULL for manual tags and older ones.
    "ALTER TABLE tags ADD COLUMN arguments TEXT;",
};
static_assert(std::size(kUpgrades) == kSchemaVersion);

// A prepared statement, finalized when it goes out of scope.
class Statement {
public:
  Statement(sqlite3 *db, const char *sql) : owned_(true) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  // Borrows a cached statement (null if it failed to prepare) and resets it when done.
  explicit Statement(sqlite3_stmt *cached) : stmt_(cached), rc_(cached ? SQLITE_OK : SQLITE_ERROR) {}
  ~Statement() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  bool prepared() const { return rc_ == SQLITE_OK; }
  Statement &bind(int column, std::string_view text) {
    sqlite3_bind_text(stmt_, column, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement &bind(int column, std::int64_t number) {
    sqlite3_bind_int64(stmt_, column, number);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  void reset() { sqlite3_reset(stmt_); }
  std::string text(int column) const {
    const unsigned char *p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char *>(p), sqlite3_column_bytes(stmt_, column)) : std::string();
  }
  std::int64_t number(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

private:
  sqlite3_stmt *stmt_ = nullptr;
  int rc_ = SQLITE_OK;
  bool owned_ = false;
};

// A failure of the disk under the store rather than of the store (StoreEnvironmentError).
bool environment_failure(sqlite3 *db) {
  int code = sqlite3_errcode(db) & 0xff;
  return code == SQLITE_FULL || code == SQLITE_IOERR;
}

std::string reason_for(sqlite3 *db) {
  int code = sqlite3_errcode(db) & 0xff;
  std::string message = sqlite3_errmsg(db);
  int system = sqlite3_system_errno(db);
  switch (code) {
  case SQLITE_FULL:
    // SQLite says "database or disk is full"; the disk is what is full.
    return std::strerror(ENOSPC);
  case SQLITE_IOERR:
    if (system == ENOSPC || system == EDQUOT)
      return std::strerror(system);
    return system ? message + ": " + std::strerror(system) : message;
  case SQLITE_READONLY:
    return "store is read-only: " + message;
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    return "not a usable abitag store: " + message;
  case SQLITE_BUSY:
    return "store stayed locked by another process: " + message;
  case SQLITE_CANTOPEN:
    return system ? message + ": " + std::strerror(system) : message;
  default:
    return message;
  }
}

// Runs a query whose rows are single strings.
llvm::Expected<std::vector<std::string>> strings(sqlite3_stmt *cached, const std::optional<std::string> &argument,
                                                 const std::function<llvm::Error()> &fail) {
  Statement query(cached);
  if (!query.prepared())
    return fail();
  if (argument)
    query.bind(1, *argument);
  std::vector<std::string> out;
  int rc;
  while ((rc = query.step()) == SQLITE_ROW)
    out.push_back(query.text(0));
  if (rc != SQLITE_DONE)
    return fail();
  return out;
}

// Whether a read failed only because SQLite could not create the WAL file
// next to a store no writer has open.
bool unwritable_wal(sqlite3 *db, const std::string &path) {
  int code = sqlite3_errcode(db);
  std::error_code ignored;
  return (code == SQLITE_READONLY || code == SQLITE_CANTOPEN) && !std::filesystem::exists(path + "-wal", ignored);
}

// PATH as the path of a file: URI ('%', '?' and '#' escaped).
std::string uri_path(const std::string &path) {
  std::string out;
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

// What stands at a store's path, looked at before SQLite opens it: SQLite
// takes an empty file or /dev/null for an empty database (the first write
// would then make it a store, over whatever it was) and blocks on a FIFO.
enum class Found { Nothing, DanglingLink, File };
struct StoreFile {
  Found found = Found::Nothing;
  std::string link_target; // Found::DanglingLink
  bool wal = false;        // Found::File: in WAL mode (stores of an abitag before the rollback journal)
};

const char *kind_of(mode_t mode) {
  if (S_ISDIR(mode))
    return "a folder";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

llvm::Expected<StoreFile> inspect(const std::string &path) {
  auto fail = [&](const std::string &reason) { return make_error(path + ": " + reason); };
  struct stat status;
  if (::stat(path.c_str(), &status) != 0) {
    int failure = errno;
    if (failure != ENOENT)
      return fail("cannot be reached: " + std::string(std::strerror(failure)));
    std::error_code not_a_link;
    std::filesystem::path target = std::filesystem::read_symlink(path, not_a_link);
    if (not_a_link)
      return StoreFile{};
    return StoreFile{Found::DanglingLink, target.string()};
  }
  if (!S_ISREG(status.st_mode))
    return fail(std::string(kind_of(status.st_mode)) + ", not a tag store");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return fail("cannot be read: " + std::string(std::strerror(errno)));
  unsigned char header[100];
  ssize_t got = ::pread(fd, header, sizeof header, 0);
  int failure = errno;
  ::close(fd);
  if (got < 0)
    return fail("cannot be read: " + std::string(std::strerror(failure)));
  if (got == 0)
    return fail("an empty file, not a tag store (abitag never leaves one empty: restore the store, or remove the "
                "file to start a new one)");
  static const char kMagic[] = "SQLite format 3"; // and its terminating NUL: 16 bytes
  if (got < static_cast<ssize_t>(sizeof kMagic) || std::memcmp(header, kMagic, sizeof kMagic) != 0)
    return fail("not a usable abitag store: file is not a database"); // SQLite's words for it
  StoreFile out;
  out.found = Found::File;
  out.wal = got > 18 && header[18] == 2; // the file format's write version: 2 is WAL
  return out;
}

std::string no_store_here(const StoreFile &file) {
  if (file.found == Found::DanglingLink)
    return "no tag store here (a link to " + file.link_target + ", which does not exist)";
  return "no tag store here (nothing recorded yet, or a mistyped --db or $ABITAG_DB)";
}

bool exists(const std::string &path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

// Makes a new store's directory entry durable once it is renamed into place.
void sync_folder(const std::string &folder) {
  int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  ::fsync(fd);
  ::close(fd);
}

// Moves FROM to TO unless TO exists. Returns 0 or the errno; EEXIST when TO
// was there first. FROM is gone afterwards either way.
int move_unless_taken(const std::string &from, const std::string &to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
    return 0;
  int failure = errno;
  if (failure == EINVAL || failure == ENOSYS) // a file system without RENAME_NOREPLACE: link() never replaces either
    failure = ::link(from.c_str(), to.c_str()) == 0 ? 0 : errno;
  ::unlink(from.c_str());
  return failure;
}

std::string arguments_text(const TagArguments &arguments) {
  return json_text(nlohmann::json{{"options", arguments.options}, {"paths", arguments.paths}});
}

std::optional<TagArguments> parse_arguments(const std::string &text) {
  llvm::Expected<nlohmann::json> parsed = parse_json_text(text);
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return std::nullopt;
  }
  const nlohmann::json &document = *parsed;
  auto strings = [&](const char *field) {
    auto found = document.find(field);
    return found != document.end() && found->is_array() &&
           std::all_of(found->begin(), found->end(), [](const nlohmann::json &s) { return s.is_string(); });
  };
  if (!document.is_object() || !strings("options") || !strings("paths"))
    return std::nullopt;
  return TagArguments{document.at("options").get<std::vector<std::string>>(),
                      document.at("paths").get<std::vector<std::string>>()};
}

} // namespace

char StoreEnvironmentError::ID = 0;

void StoreEnvironmentError::log(llvm::raw_ostream &out) const { out << message_; }

std::error_code StoreEnvironmentError::convertToErrorCode() const { return llvm::inconvertibleErrorCode(); }

Store::~Store() {
  if (in_transaction_)
    rollback();
  for (auto &entry : statements_)
    sqlite3_finalize(entry.second);
  sqlite3_close_v2(db_);
  if (!scratch_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(scratch_, ignored);
  }
}

llvm::Expected<std::string> Store::private_copy(const char *side) {
  std::error_code ignored;
  std::string pattern = (std::filesystem::temp_directory_path(ignored) / "abitag-store-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    return error("cannot copy the store to read its " + std::string(side + 1) + ": " + std::strerror(errno));
  scratch_ = pattern;
  std::string copy = scratch_ + "/tags.db";
  for (const char *suffix : {"", side}) {
    std::error_code failed;
    std::filesystem::copy_file(path_ + suffix, copy + suffix, failed);
    if (failed)
      return error("cannot copy the store to read its " + std::string(side + 1) + ": " + failed.message());
  }
  return copy;
}

sqlite3_stmt *Store::cached(const char *sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end())
    return found->second;
  sqlite3_stmt *statement = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
    return nullptr; // sqlite3_errmsg still says why
  statements_.emplace(sql, statement);
  return statement;
}

llvm::Error Store::error() const {
  if (environment_failure(db_))
    return llvm::make_error<StoreEnvironmentError>(path_ + ": " + reason_for(db_));
  return error(reason_for(db_));
}

llvm::Error Store::error(const std::string &reason) const { return make_error(path_ + ": " + reason); }

llvm::Error Store::exec(const char *sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return error();
  return llvm::Error::success();
}

llvm::Error Store::set_journal_mode(const char *mode) {
  // Changing the mode needs the other connections out of the way, and SQLite
  // answers BUSY at once instead of calling the busy handler: wait here as a
  // writer would.
  std::string sql = std::string("PRAGMA journal_mode=") + mode;
  for (int waited = 0;; waited += 2) {
    Statement change(db_, sql.c_str());
    if (!change.prepared())
      return error();
    int rc = change.step();
    if (rc == SQLITE_ROW && sqlite3_stricmp(change.text(0).c_str(), mode) == 0)
      return llvm::Error::success();
    if ((rc != SQLITE_BUSY && rc != SQLITE_ROW) || waited >= kBusyTimeoutMs)
      return rc == SQLITE_ROW ? error("store stayed locked by another process: journal mode unchanged") : error();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

llvm::Expected<int> Store::user_version() {
  Statement query(db_, "PRAGMA user_version");
  if (!query.prepared() || query.step() != SQLITE_ROW)
    return error();
  return static_cast<int>(query.number(0));
}

llvm::Expected<int> Store::read_schema_version() {
  llvm::Expected<int> version = user_version();
  if (!version)
    return version.takeError();
  if (*version > kSchemaVersion)
    return error("store schema version " + std::to_string(*version) + " is newer than this abitag's (" +
                 std::to_string(kSchemaVersion) + ")");
  // A store is made whole (create), so one without a version or its tables
  // is someone else's database, empty or not, and abitag must not write into it.
  Statement tables(db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('tags', 'locks')");
  if (!tables.prepared() || tables.step() != SQLITE_ROW)
    return error();
  if (*version == 0 || tables.number(0) != 2)
    return error("not an abitag store: a SQLite database without abitag's schema");
  return version;
}

// A new store is made in a temporary file beside PATH, initialised there, and
// renamed into place only if PATH is still free (RENAME_NOREPLACE, or link()
// where the file system lacks it). So no command ever sees a half-made store,
// and of two first writers neither replaces the other's: the one that comes
// second uses the store of the first. Creating PATH itself with O_EXCL and
// initialising it under the write lock would show other commands an empty
// file meanwhile, which they must refuse (an empty file is not a store).
llvm::Error Store::create(const std::string &path) {
  std::error_code ignored; // a failure shows when the temporary file is made
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (!folder.empty())
    std::filesystem::create_directories(folder, ignored);
  std::string temporary = path + ".new-XXXXXX";
  int fd = ::mkstemp(temporary.data());
  if (fd < 0)
    return make_error(path + ": cannot create the store: " + std::strerror(errno));
  // mkstemp makes the file private; a store is as readable as SQLite makes files.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0644 & ~mask);
  ::close(fd);
  llvm::Error made = [&]() -> llvm::Error {
    Store fresh(path, nullptr); // errors name the store, not the temporary file
    if (sqlite3_open_v2(temporary.c_str(), &fresh.db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      return fresh.error();
    if (llvm::Error e = fresh.begin_write())
      return e;
    return fresh.commit();
  }();
  if (made) {
    ::unlink(temporary.c_str());
    ::unlink((temporary + "-journal").c_str());
    return made;
  }
  int failure = move_unless_taken(temporary, path);
  if (failure != 0 && failure != EEXIST) // EEXIST: another writer's store came first
    return make_error(path + ": cannot create the store: " + std::strerror(failure));
  sync_folder(folder);
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<Store>> Store::empty(const std::string &path) {
  std::unique_ptr<Store> store(new Store(path, nullptr));
  if (sqlite3_open_v2(":memory:", &store->db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    return store->error();
  if (llvm::Error e = store->upgrade())
    return e;
  return store;
}

namespace {

// Whether a new store could be made at PATH, where inspect() found nothing
// (so what exists of its folders are folders): create() makes the missing
// ones, so the nearest that exists must let this user add entries. The
// error reads as create()'s.
llvm::Error check_creatable(const std::string &path) {
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  while (!folder.empty() && !std::filesystem::exists(folder, ignored) && folder != folder.parent_path())
    folder = folder.parent_path();
  if (::access(folder.empty() ? "." : folder.c_str(), W_OK | X_OK) != 0)
    return make_error(path + ": cannot create the store: " + std::strerror(errno));
  return llvm::Error::success();
}

} // namespace

llvm::Error Store::check_writable(const std::string &path) {
  if (path != ":memory:") {
    llvm::Expected<StoreFile> file = inspect(path);
    if (!file)
      return file.takeError();
    if (file->found == Found::Nothing)
      return check_creatable(path);
  }
  // A file, or a dangling link: open_for_writing opens the one and refuses
  // the other, creating nothing.
  llvm::Expected<std::unique_ptr<Store>> store = open_for_writing(path);
  return store ? llvm::Error::success() : store.takeError();
}

llvm::Expected<std::unique_ptr<Store>> Store::open_for_writing(const std::string &path) {
  if (path == ":memory:")
    return empty(path);
  llvm::Expected<StoreFile> file = inspect(path);
  if (!file)
    return file.takeError();
  if (file->found == Found::DanglingLink)
    return make_error(path + ": a link to " + file->link_target +
                      ", which does not exist (a new store is made only where there is no file)");
  if (file->found == Found::Nothing)
    if (llvm::Error e = create(path))
      return e;
  sqlite3 *db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<Store> store(new Store(path, db));
  if (rc != SQLITE_OK)
    return store->error();
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 0);
  // SQLite falls back to reading when the file is not writable; say so now
  // rather than at the first write.
  if (sqlite3_db_readonly(db, "main") == 1) {
    int why = ::access(path.c_str(), W_OK) == 0 ? EACCES : errno; // EROFS on a read-only mount
    return store->error("store is read-only: " + std::string(std::strerror(why)));
  }
  llvm::Expected<int> version = store->read_schema_version();
  if (!version)
    return version.takeError();
  store->schema_version_ = *version;
  // A rollback journal, not WAL: a reader then needs no file beside the
  // store (a WAL reader must create a -shm file, or read the store as
  // immutable, which is wrong while a writer is at work), so a store on a
  // read-only medium, in a folder the reader may not write, or on a full
  // disk can still be read; and between commands nothing lies beside the
  // store. The price is that a commit waits for the readers at work, which
  // hold the store for milliseconds. New stores start in this mode; the
  // next writer switches a store an abitag before made in WAL mode.
  if (file->wal)
    if (llvm::Error e = store->set_journal_mode("delete"))
      return e;
  return store;
}

llvm::Expected<std::unique_ptr<Store>> Store::open_for_reading(const std::string &path, IfMissing missing) {
  llvm::Expected<StoreFile> file = inspect(path);
  if (!file)
    return file.takeError();
  if (file->found != Found::File) {
    if (missing == IfMissing::ReadEmpty)
      return empty(path);
    return make_error(path + ": " + no_store_here(*file));
  }
  // Read-write when the file allows it, so that a reader can roll back what
  // a writer killed mid-commit left in the journal (and, in a WAL store, fold
  // the WAL back when it closes last). Else SQLite opens it read-only, which
  // needs nothing beside the store.
  sqlite3 *db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<Store> store(new Store(path, db));
  if (rc != SQLITE_OK)
    return store->error();
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  llvm::Expected<int> version = store->read_schema_version();
  if (!version && file->wal && unwritable_wal(db, path)) {
    // A WAL store (not yet switched by a writer) whose folder this user may
    // not write: SQLite cannot create the -shm file it wants. With no WAL
    // file there is no writer and nothing uncommitted: read the main file as
    // it is.
    llvm::consumeError(version.takeError());
    sqlite3_close_v2(store->db_);
    store->db_ = nullptr;
    std::string uri = "file:" + uri_path(path) + "?immutable=1";
    if (sqlite3_open_v2(uri.c_str(), &store->db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) != SQLITE_OK)
      return store->error();
    version = store->read_schema_version();
  }
  if (!version)
    return version.takeError();
  store->schema_version_ = *version;
  return store;
}

llvm::Expected<std::unique_ptr<Store>> Store::open_untouched(const std::string &path) {
  // With nothing beside the store, everything committed is in the main file
  // and no writer is at work: read it as immutable, which takes no lock and
  // makes no side file. A -journal (a writer at work, or one that died) or a
  // WAL may hold what the main file does not: next to a WAL's -shm (a writer
  // at work, or one that died) open read-only through both; else read a
  // private copy of the two files, where SQLite may roll back or create what
  // it needs.
  llvm::Expected<StoreFile> file = inspect(path);
  if (!file)
    return file.takeError();
  if (file->found != Found::File)
    return make_error(path + ": " + no_store_here(*file));
  bool wal = exists(path + "-wal"), shm = exists(path + "-shm");
  const char *side = wal ? "-wal" : exists(path + "-journal") ? "-journal" : nullptr;
  std::unique_ptr<Store> store(new Store(path, nullptr));
  std::string uri = "file:" + uri_path(path) + (!side ? "?immutable=1" : "?mode=ro");
  int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
  if (side && !(wal && shm)) {
    llvm::Expected<std::string> copy = store->private_copy(side);
    if (!copy)
      return copy.takeError();
    uri = "file:" + uri_path(*copy);
    flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI;
  }
  int rc = sqlite3_open_v2(uri.c_str(), &store->db_, flags, nullptr);
  if (rc != SQLITE_OK)
    return store->error();
  sqlite3_busy_timeout(store->db_, kBusyTimeoutMs);
  llvm::Expected<int> version = store->read_schema_version();
  if (!version)
    return version.takeError();
  store->schema_version_ = *version;
  return store;
}

llvm::Error Store::upgrade() {
  llvm::Expected<int> version = user_version();
  if (!version)
    return version.takeError();
  for (int step = *version; step < kSchemaVersion; ++step)
    if (llvm::Error e = exec(kUpgrades[step]))
      return e;
  if (*version != kSchemaVersion)
    if (llvm::Error e = exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str()))
      return e;
  schema_version_ = kSchemaVersion;
  return llvm::Error::success();
}

llvm::Error Store::begin_write() {
  if (llvm::Error e = exec("BEGIN IMMEDIATE"))
    return e;
  in_transaction_ = true;
  // Under the write lock: another process may have created or upgraded the
  // store since it was opened.
  return upgrade();
}

llvm::Error Store::begin_read() {
  // A read transaction only starts at the first read; run one now so that
  // every query of the command sees the same snapshot.
  if (llvm::Error e = exec("BEGIN"))
    return e;
  in_transaction_ = true;
  return exec("SELECT count(*) FROM sqlite_master");
}

llvm::Error Store::commit() {
  in_transaction_ = false;
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    llvm::Error e = error();
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  return llvm::Error::success();
}

void Store::rollback() {
  in_transaction_ = false;
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

llvm::Error Store::set_tag(const Tag &tag) {
  // Every writer of a tag (set, tag, import) comes here: none stores an
  // empty or multi-line value, whatever its caller checked.
  if (std::optional<std::string> why = invalid_value(tag.value))
    return error(tag.package + " " + tag.key + ": " + *why);
  // Writers have upgraded the store to the current schema (begin_write).
  Statement insert(cached(
      "INSERT OR REPLACE INTO tags (package, key, value, source, time, arguments) VALUES (?, ?, ?, ?, ?, ?)"));
  if (!insert.prepared())
    return error();
  insert.bind(1, tag.package).bind(2, tag.key).bind(3, tag.value).bind(4, tag.source).bind(5, tag.time);
  if (tag.arguments)
    insert.bind(6, arguments_text(*tag.arguments));
  if (insert.step() != SQLITE_DONE)
    return error();
  return llvm::Error::success();
}

llvm::Error Store::set_lock(const Lock &lock) {
  Statement insert(
      cached("INSERT OR REPLACE INTO locks (package, dependency, key, value, time) VALUES (?, ?, ?, ?, ?)"));
  if (!insert.prepared())
    return error();
  insert.bind(1, lock.package).bind(2, lock.dependency).bind(3, lock.key).bind(4, lock.value).bind(5, lock.time);
  if (insert.step() != SQLITE_DONE)
    return error();
  return llvm::Error::success();
}

llvm::Error Store::drop_lock(const std::string &package, const std::string &dependency, const std::string &key) {
  Statement remove(db_, "DELETE FROM locks WHERE package = ? AND dependency = ? AND key = ?");
  if (!remove.prepared())
    return error();
  remove.bind(1, package).bind(2, dependency).bind(3, key);
  if (remove.step() != SQLITE_DONE)
    return error();
  return llvm::Error::success();
}

llvm::Expected<std::optional<std::string>> Store::tag_value(const std::string &package, const std::string &key) {
  Statement query(db_, "SELECT value FROM tags WHERE package = ? AND key = ?");
  if (!query.prepared())
    return error();
  query.bind(1, package).bind(2, key);
  int rc = query.step();
  if (rc == SQLITE_ROW)
    return std::optional<std::string>(query.text(0));
  if (rc != SQLITE_DONE)
    return error();
  return std::optional<std::string>();
}

llvm::Expected<bool> Store::knows(const std::string &package) {
  Statement query(db_, "SELECT EXISTS (SELECT 1 FROM tags WHERE package = ?1)"
                       " OR EXISTS (SELECT 1 FROM locks WHERE package = ?1)");
  if (!query.prepared())
    return error();
  query.bind(1, package);
  if (query.step() != SQLITE_ROW)
    return error();
  return query.number(0) != 0;
}

llvm::Expected<bool> Store::forget(const std::string &package) {
  bool removed = false;
  for (const char *sql : {"DELETE FROM tags WHERE package = ?", "DELETE FROM locks WHERE package = ?"}) {
    Statement remove(db_, sql);
    if (!remove.prepared())
      return error();
    remove.bind(1, package);
    if (remove.step() != SQLITE_DONE)
      return error();
    removed |= sqlite3_changes(db_) > 0;
  }
  return removed;
}

llvm::Error Store::clear() { return exec("DELETE FROM tags; DELETE FROM locks;"); }

// Rows of four text columns and a time (locks).
template <class Row>
llvm::Expected<std::vector<Row>> Store::rows(const char *sql, const std::optional<std::string> &package) {
  Statement query(db_, sql);
  if (!query.prepared())
    return error();
  if (package)
    query.bind(1, *package);
  std::vector<Row> out;
  int rc;
  while ((rc = query.step()) == SQLITE_ROW)
    out.push_back({query.text(0), query.text(1), query.text(2), query.text(3), query.number(4)});
  if (rc != SQLITE_DONE)
    return error();
  return out;
}

llvm::Expected<std::vector<Tag>> Store::tags(const std::optional<std::string> &package) {
  // Readers leave older stores as they are: before version 3 there are no arguments.
  std::string sql = schema_version_ >= 3 ? "SELECT package, key, value, source, time, arguments FROM tags"
                                         : "SELECT package, key, value, source, time, NULL FROM tags";
  sql += package ? " WHERE package = ? ORDER BY key" : " ORDER BY package, key";
  Statement query(db_, sql.c_str());
  if (!query.prepared())
    return error();
  if (package)
    query.bind(1, *package);
  std::vector<Tag> out;
  int rc;
  while ((rc = query.step()) == SQLITE_ROW) {
    out.push_back({query.text(0), query.text(1), query.text(2), query.text(3), query.number(4), std::nullopt});
    if (query.is_null(5))
      continue;
    out.back().arguments = parse_arguments(query.text(5));
    if (!out.back().arguments)
      return error("not a usable abitag store: the arguments of " + out.back().package + " " + out.back().key +
                   " are not {options, paths}");
  }
  if (rc != SQLITE_DONE)
    return error();
  return out;
}

llvm::Expected<std::vector<Lock>> Store::locks(const std::optional<std::string> &package) {
  return rows<Lock>(package ? "SELECT package, dependency, key, value, time FROM locks WHERE package = ?"
                              " ORDER BY dependency, key"
                            : "SELECT package, dependency, key, value, time FROM locks"
                              " ORDER BY package, dependency, key",
                    package);
}

llvm::Expected<std::vector<StaleLock>> Store::stale_locks() {
  // One pass over the locks, each looked up in the tags' primary key.
  Statement query(db_, "SELECT l.package, l.dependency, l.key, l.value, l.time, t.value,"
                       " EXISTS (SELECT 1 FROM tags WHERE package = l.dependency)"
                       " OR EXISTS (SELECT 1 FROM locks WHERE package = l.dependency)"
                       " FROM locks l LEFT JOIN tags t ON t.package = l.dependency AND t.key = l.key"
                       " WHERE t.value IS NULL OR t.value <> l.value"
                       " ORDER BY l.package, l.dependency, l.key");
  if (!query.prepared())
    return error();
  std::vector<StaleLock> out;
  int rc;
  while ((rc = query.step()) == SQLITE_ROW) {
    StaleLock stale;
    stale.lock = {query.text(0), query.text(1), query.text(2), query.text(3), query.number(4)};
    if (!query.is_null(5))
      stale.current = query.text(5);
    stale.dependency_known = query.number(6) != 0;
    out.push_back(std::move(stale));
  }
  if (rc != SQLITE_DONE)
    return error();
  return out;
}

llvm::Expected<std::vector<std::string>> Store::locked_packages() {
  return strings(cached("SELECT package FROM locks UNION SELECT dependency FROM locks ORDER BY 1"), std::nullopt,
                 [this] { return error(); });
}

llvm::Expected<std::vector<std::string>> Store::dependants_of(const std::string &dependency) {
  return strings(cached("SELECT DISTINCT package FROM locks WHERE dependency = ?"), dependency,
                 [this] { return error(); });
}

llvm::Expected<std::vector<std::string>> Store::dependencies_of(const std::string &package) {
  return strings(cached("SELECT DISTINCT dependency FROM locks WHERE package = ?"), package,
                 [this] { return error(); });
}

llvm::Error Store::verify() {
  Statement query(db_, "PRAGMA quick_check");
  if (!query.prepared())
    return error();
  int rc = query.step();
  if (rc != SQLITE_ROW)
    return error();
  std::string verdict = query.text(0);
  if (verdict != "ok")
    return error("not a usable abitag store: " + verdict);
  return llvm::Error::success();
}

} // namespace abitag::tagger
