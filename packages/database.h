// SPDX-License-Identifier: MIT
// The installed-package databases of the package managers abitag serves,
// read under a root: which packages are installed, the files each owns, the
// dependencies each records, and each package's identity in its manager's
// own terms. One reader per manager (dpkg.cpp, exndbam.cpp, vdb.cpp,
// pacman.cpp, rpm.cpp) fills the same plain structs; owner lookups
// (owner_index.h) and rebuild commands (specs.h) work on those.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>

namespace abitag::packages {

enum class Manager { dpkg, exndbam, vdb, pacman, rpm };

// "dpkg", "exndbam", "vdb", "pacman", "rpm": the names --package-manager takes.
std::string_view manager_name(Manager manager);
std::optional<Manager> manager_named(std::string_view name);
const std::vector<Manager> &all_managers();

// A package as its manager names it. Empty fields are ones the manager does
// not have (no slot outside Portage and Paludis).
struct PackageId {
  Manager manager = Manager::dpkg;
  // dpkg, pacman, rpm: the package name; VDB and exndbam: CATEGORY/PN.
  std::string name;
  // As the manager writes it: dpkg "1:1.2.13-1", pacman "1:1.2-1",
  // rpm "1:1.2-3" (epoch only when set), VDB "1.2-r1" (PVR), exndbam "1.2".
  std::string version;
  // VDB: SLOT with its sub-slot ("0/1.2"); exndbam: SLOT.
  std::string slot;
  // dpkg: the architecture of a Multi-Arch: same package ("amd64"), else
  // empty; pacman and rpm: the package's architecture.
  std::string architecture;
  // VDB: `repository`; exndbam: `REPOSITORY`; else empty.
  std::string repository;
  // What is rebuilt for it: dpkg "Source" (name only), pacman %BASE%,
  // rpm SOURCERPM; VDB and exndbam: empty (the package itself).
  std::string source;

  // One line for a person: "libc6:amd64 2.36-9", "dev-libs/foo-1.2-r1:0/1.2::gentoo".
  std::string display() const;
};

enum class EntryType { file, directory, symlink, other };

struct FileEntry {
  std::string path;        // absolute, as seen inside the root ("/usr/lib/libfoo.so.1")
  EntryType type = EntryType::file;
  std::string link_target; // symlinks, where the database records the target
};

struct Package {
  PackageId id;
  std::vector<FileEntry> files;
  // The run-time dependencies as the database records them, in the manager's
  // own syntax (a VDB RDEPEND atom, an exndbam run/built-against spec, a
  // dpkg Depends alternative list, a pacman DEPENDS entry, an rpm Requires).
  std::vector<std::string> dependencies;
  // Where its entry lives (a folder or file under the root): named in findings.
  std::string entry;
};

// An entry that could not be read whole: a finding naming the entry; the
// other packages are still read.
struct DamagedEntry {
  std::string entry;
  std::string reason;
};

struct Database {
  Manager manager = Manager::dpkg;
  std::string location; // the database's folder or file inside the root
  std::vector<Package> packages;
  std::vector<DamagedEntry> damaged;
};

// The managers whose databases are under ROOT, recognised by their contents
// (a dpkg status file, an exndbam ndbam.conf, a VDB of CAT/PF entries with
// CONTENTS, a pacman local/ALPM_DB_VERSION, an rpm database), in the order
// of all_managers().
std::vector<Manager> detect(const std::string &root);

// Reads MANAGER's database under ROOT. An error when it is not there or
// cannot be opened at all; damage inside single entries goes to `damaged`.
llvm::Expected<Database> read_database(const std::string &root, Manager manager);

} // namespace abitag::packages
