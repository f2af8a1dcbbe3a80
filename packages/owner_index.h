// SPDX-License-Identifier: MIT
// Which installed packages own a file, and which files a package owns,
// exactly: a hash finds the candidates, the stored path decides (no answer
// rests on a hash two paths can share).
//
// A file is owned under every name it has on disk, not only the one its
// package lists: through the root's top-level links (a merged-/usr system's
// /lib -> usr/lib makes /lib/x and /usr/lib/x one file; dpkg lists /lib/x
// and `dpkg -S /usr/lib/x` finds nothing), and through dpkg diversions (a
// package's copy of a diverted path lives at the path it is diverted to).
// A folder is owned by every package that lists it, and owns nothing
// below it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "packages/database.h"

namespace abitag::packages {

// The root's top-level links to folders (ROOT/lib -> usr/lib, ROOT/bin ->
// usr/bin), read from the root itself: the second names they give files.
class RootAliases {
public:
  static RootAliases read(const std::string &root);
  // NAME ("/lib") leads to TARGET ("/usr/lib"), both inside the root.
  void add(std::string name, std::string target);
  // PATH under its final name: "/usr/lib/x" for "/lib/x", PATH itself when
  // its first component is no link.
  std::string canonical(std::string_view path) const;
  // The same without a copy: PATH itself, or a view of BUFFER.
  std::string_view canonical(std::string_view path, std::string &buffer) const;
  const std::vector<std::pair<std::string, std::string>> &links() const { return links_; }

private:
  std::vector<std::pair<std::string, std::string>> links_;
};

class OwnerIndex {
public:
  OwnerIndex() = default;
  OwnerIndex(std::vector<Database> databases, RootAliases aliases);
  OwnerIndex(OwnerIndex &&) = default;
  OwnerIndex &operator=(OwnerIndex &&) = default;

  const std::vector<Database> &databases() const { return databases_; }
  const RootAliases &aliases() const { return aliases_; }

  // The packages that own PATH (a path inside the root), in database order.
  std::vector<const Package *> owners(std::string_view path) const;
  // The packages called NAME (PackageId::name or qualified_name(); several
  // for several slots or architectures).
  std::vector<const Package *> packages_named(std::string_view name) const;
  // Where the FILE-th entry of PACKAGE is on disk, under its final name:
  // its path, or the path a diversion moved it to.
  std::string placed_path(const Package &package, std::size_t file) const;

private:
  struct Entry {
    std::uint64_t hash; // of the placed path
    std::uint32_t package;
    std::uint32_t file;
  };
  struct Owned {
    const Package *package;
    std::uint32_t database; // databases_ index
  };
  // Where FILE of OWNED is on disk: a view of the file list, or of BUFFER.
  std::string_view placed(const Owned &owned, FileView file, std::string &buffer) const;

  std::vector<Database> databases_;
  RootAliases aliases_;
  std::vector<Owned> packages_;
  // Per database: the diverted paths (views of its diversions).
  std::vector<std::unordered_map<std::string_view, const Diversion *>> diverted_;
  std::vector<Entry> entries_; // sorted by hash
};

// Every detected manager's database under ROOT and the index over them,
// read once when first asked, or ahead on a thread of its own. Used from
// several threads at once.
class InstalledPackages {
public:
  // READ_DATABASES false: none is read, the index stays empty (the audit's
  // --no-packages, which names files only).
  explicit InstalledPackages(std::string root, bool read_databases = true)
      : root_(std::move(root)), read_databases_(read_databases) {}
  ~InstalledPackages();
  InstalledPackages(const InstalledPackages &) = delete;
  InstalledPackages &operator=(const InstalledPackages &) = delete;

  // Starts reading on a thread of its own, so the databases come from the
  // disk while other work goes on (when no thread can start, the first
  // question reads them).
  void load_ahead();
  void wait_ahead();
  const OwnerIndex &index();
  // A database that could not be read at all, and damaged entries.
  const std::vector<DamagedEntry> &problems();
  // "PATH (package NAME)", "PATH (packages A, B)" when several own PATH
  // (inside the root), else PATH; NAME is PackageId::short_name().
  std::string describe(const std::string &path);

private:
  void load();

  std::string root_;
  bool read_databases_;
  std::mutex mutex_;
  bool loaded_ = false;
  OwnerIndex index_;
  std::vector<DamagedEntry> problems_;
  std::thread ahead_;
};

} // namespace abitag::packages
