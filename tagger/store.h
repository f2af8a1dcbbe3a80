// SPDX-License-Identifier: MIT
// The tag store: per package its tags (key, value, who produced it, when)
// and its locks (the value of a dependency's tag it was built against).
//
// SQLite, because installs run in parallel and get killed: its transactions
// give all-or-nothing commands and its locking lets concurrent writers queue
// instead of losing each other's work. Every abitag command is one
// transaction; writers take the write lock up front (BEGIN IMMEDIATE) so a
// reader never has to upgrade and fail.
//
// What holds tags is never taken for an empty store: a file is used only if
// it is an abitag store, and a new store appears whole, only where there was
// no file (see Store::create).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>

struct sqlite3;
struct sqlite3_stmt;

namespace abitag::tagger {

constexpr const char *kDefaultStorePath = "/var/lib/abitag/tags.db";

// The schema this abitag writes; older stores are upgraded in place by the
// first command that writes to them.
constexpr int kSchemaVersion = 3;

// What an analyzer was run on, so that its value can be computed again (the
// audit re-runs it on the installed files): its own options as given, and the
// paths as seen from the system the analyzer looked at (inside its --root).
struct TagArguments {
  std::vector<std::string> options;
  std::vector<std::string> paths;
  bool operator==(const TagArguments &other) const { return options == other.options && paths == other.paths; }
};

struct Tag {
  std::string package;
  std::string key;
  std::string value;
  std::string source; // the analyzer that produced it, or "manual"
  std::int64_t time = 0; // seconds since the epoch
  // None for manual tags and for tags recorded before schema version 3.
  std::optional<TagArguments> arguments;
};

struct Lock {
  std::string package;    // the dependant
  std::string dependency; // the package whose tag it locks
  std::string key;
  std::string value;      // the dependency's value when the dependant was built
  std::int64_t time = 0;
};

// A lock whose dependency no longer carries the locked value.
struct StaleLock {
  Lock lock;
  std::optional<std::string> current; // none: the tag or the whole package is gone
  bool dependency_known = true;       // false: the dependency is not in the store at all
};

// The machine failed the store, not the store itself (a full disk, an I/O
// error): the command may work again once that is fixed, so it is told apart
// from a store that cannot be used (exit 4, not 3).
class StoreEnvironmentError : public llvm::ErrorInfo<StoreEnvironmentError> {
public:
  static char ID;
  explicit StoreEnvironmentError(std::string message) : message_(std::move(message)) {}
  void log(llvm::raw_ostream &out) const override;
  std::error_code convertToErrorCode() const override;

private:
  std::string message_;
};

// What a reader does where there is no file at the store's path.
enum class IfMissing {
  Fail,     // "PATH: no tag store here (...)": a mistyped --db is not "nothing recorded"
  ReadEmpty // read an empty store; nothing is created
};

class Store {
public:
  // Opens the store, creating it if there is no file at PATH. ":memory:" is a
  // private store in memory. Errors read "PATH: reason".
  static llvm::Expected<std::unique_ptr<Store>> open_for_writing(const std::string &path);
  // Whether open_for_writing(PATH) would succeed, asked before a long
  // computation whose result is then written: an existing store is opened
  // and closed; where there is none, nothing is created, only the folder it
  // would be made in is checked.
  static llvm::Error check_writable(const std::string &path);
  // Opens an existing store; needs no write access to it or its folder.
  static llvm::Expected<std::unique_ptr<Store>> open_for_reading(const std::string &path,
                                                                 IfMissing missing = IfMissing::Fail);
  // An existing store inspected from outside (the audit of a system): no file
  // is created or written, not even the side files SQLite makes for a reader,
  // so the store stays byte for byte as it was.
  static llvm::Expected<std::unique_ptr<Store>> open_untouched(const std::string &path);
  ~Store();
  Store(const Store &) = delete;
  Store &operator=(const Store &) = delete;

  const std::string &path() const { return path_; }
  int schema_version() const { return schema_version_; }

  // A writer's transaction also upgrades an older schema.
  llvm::Error begin_write();
  llvm::Error begin_read();
  llvm::Error commit();
  void rollback();

  llvm::Error set_tag(const Tag &tag);
  llvm::Error set_lock(const Lock &lock);
  // Removes PACKAGE's lock on DEPENDENCY's KEY (adopt: a lock no longer true).
  llvm::Error drop_lock(const std::string &package, const std::string &dependency, const std::string &key);
  llvm::Expected<std::optional<std::string>> tag_value(const std::string &package, const std::string &key);
  // Whether the store holds tags or locks of PACKAGE.
  llvm::Expected<bool> knows(const std::string &package);
  // Whether PACKAGE had anything to drop.
  llvm::Expected<bool> forget(const std::string &package);
  llvm::Error clear();

  // Everything, or one package's, sorted by package then key.
  llvm::Expected<std::vector<Tag>> tags(const std::optional<std::string> &package = std::nullopt);
  llvm::Expected<std::vector<Lock>> locks(const std::optional<std::string> &package = std::nullopt);

  // What the checker asks.
  llvm::Expected<std::vector<StaleLock>> stale_locks();
  // Every package that holds a lock or is locked on, sorted.
  llvm::Expected<std::vector<std::string>> locked_packages();
  llvm::Expected<std::vector<std::string>> dependants_of(const std::string &dependency);
  llvm::Expected<std::vector<std::string>> dependencies_of(const std::string &package);

  // Runs SQLite's quick_check: damage that queries would not run into.
  llvm::Error verify();

private:
  Store(std::string path, sqlite3 *db) : path_(std::move(path)), db_(db) {}
  llvm::Error error() const;
  llvm::Error error(const std::string &reason) const;
  llvm::Error exec(const char *sql);
  llvm::Error set_journal_mode(const char *mode);
  // PRAGMA user_version: 0 for a database abitag did not make.
  llvm::Expected<int> user_version();
  // The schema version of an abitag store; anything else is an error.
  llvm::Expected<int> read_schema_version();
  llvm::Error upgrade();
  // Makes a new store at PATH unless a file appeared there meanwhile.
  static llvm::Error create(const std::string &path);
  // An empty store of the current schema, in memory.
  static llvm::Expected<std::unique_ptr<Store>> empty(const std::string &path);
  // Copies the store and its side file (-wal or -journal) into a folder of
  // its own, removed with the Store.
  llvm::Expected<std::string> private_copy(const char *side);
  template <class Row>
  llvm::Expected<std::vector<Row>> rows(const char *sql, const std::optional<std::string> &package);
  // A statement prepared once per store: imports and the checker's walk run
  // the same few statements many times.
  sqlite3_stmt *cached(const char *sql);

  std::string path_;
  sqlite3 *db_ = nullptr;
  int schema_version_ = 0;
  bool in_transaction_ = false;
  std::map<const char *, sqlite3_stmt *> statements_;
  std::string scratch_; // a private copy's folder (open_untouched)
};

} // namespace abitag::tagger
