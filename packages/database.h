// SPDX-License-Identifier: MIT
// The installed-package databases of the package managers abitag serves,
// read under a root: which packages are installed, the files each owns, the
// dependencies each records, and each package's identity in its manager's
// own terms. One reader per manager (dpkg.cpp, exndbam.cpp, vdb.cpp,
// pacman.cpp, rpm.cpp) fills the same plain structs; owner lookups
// (owner_index.h) and rebuild commands (specs.h) work on those.
//
// Paths are as seen inside the root, absolute ("/usr/lib/libfoo.so.1"),
// and so are the entries and locations named in findings.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
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
  // dpkg: the Architecture field ("amd64", "all"); pacman and rpm: the
  // package's architecture.
  std::string architecture;
  // dpkg: whether dpkg itself names the package NAME:ARCH (a Multi-Arch:
  // same package, or one of a foreign architecture), as its list file is
  // named; `dpkg -S` prints such owners qualified.
  bool architecture_qualified = false;
  // dpkg: the Multi-Arch field ("same", "foreign", "allowed"), else empty.
  std::string multi_arch;
  // VDB: `repository`; exndbam: `REPOSITORY` (where it came from); else empty.
  std::string repository;
  // What is rebuilt for it: dpkg "Source" (name only), pacman %BASE%,
  // rpm SOURCERPM; VDB and exndbam: empty (the package itself).
  std::string source;
  // dpkg: the source version, from "Source: NAME (VERSION)" when a binNMU
  // gave the binary another version, else the package's own version.
  std::string source_version;

  // One line for a person: "libc6:amd64 2.36-9", "dev-libs/foo-1.2-r1:0/1.2::gentoo".
  std::string display() const;
  // The name dpkg prints: "libc6:amd64" when architecture_qualified, else
  // the name; the name for the other managers.
  std::string qualified_name() const;
  // The short name a finding gives the package: dpkg, pacman, rpm: the name
  // (no architecture); VDB and exndbam: CATEGORY/PN:SLOT, the slot without
  // its sub-slot (what `emerge` and `cave` rebuild by).
  std::string short_name() const;
};

// dpkg records no types: unknown, except a directory other entries are in.
enum class EntryType : std::uint8_t { file, directory, symlink, other, unknown };

// One entry of a package's file list, as a reader adds it.
struct FileEntry {
  std::string path;        // absolute, as seen inside the root ("/usr/lib/libfoo.so.1")
  EntryType type = EntryType::file;
  std::string link_target; // symlinks, where the database records the target
};

// One entry as a FileList holds it: views into the list, valid while it
// lives unchanged.
struct FileView {
  std::string_view path;
  EntryType type = EntryType::file;
  std::string_view link_target;
};

// A package's files: the paths and link targets in one buffer, 16 bytes a
// file besides, where a string per path cost a node and an allocation each
// (an audit reads the 170,000 paths of a Debian desktop's packages).
// Readers add entries as FileEntry (push_back) or as slices of a buffer the
// list adopts (the dpkg reader: a .list file's text holds its paths already).
class FileList {
public:
  void push_back(const FileEntry &entry) { add(entry.path, entry.type, entry.link_target); }
  void add(std::string_view path, EntryType type, std::string_view link_target = {});
  // Makes BYTES the start of the buffer, dropping the entries so far;
  // add_slice then adds its bytes [offset, offset + size) as a path.
  void adopt(std::string bytes);
  void add_slice(std::size_t offset, std::size_t size, EntryType type);
  void reserve(std::size_t files) { slots_.reserve(files); }
  void shrink_to_fit();

  std::size_t size() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }
  FileView operator[](std::size_t index) const;

  class const_iterator {
  public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = FileView;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = FileView;
    const_iterator(const FileList *list, std::size_t index) : list_(list), index_(index) {}
    FileView operator*() const { return (*list_)[index_]; }
    const_iterator &operator++() { ++index_; return *this; }
    bool operator==(const const_iterator &other) const { return index_ == other.index_; }
    bool operator!=(const const_iterator &other) const { return index_ != other.index_; }

  private:
    const FileList *list_;
    std::size_t index_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, slots_.size()}; }

private:
  // A link target follows its path in bytes_. The readers keep a package's
  // file list under 4 GiB (a larger one is a damaged entry).
  struct Slot {
    std::uint32_t offset;
    std::uint32_t path_size;
    std::uint32_t target_size;
    EntryType type;
  };
  std::string bytes_;
  std::vector<Slot> slots_;
};

// VDB NEEDED.ELF.2, one line per ELF file the package installed:
// "ARCH;OBJ;SONAME;RUNPATHS;NEEDED[;MULTILIB_CATEGORY]".
struct NeededElf {
  std::string arch;              // "X86_64" (e_machine without EM_)
  std::string path;              // "/usr/lib64/libfoo.so.1.2"
  std::string soname;            // empty when it has none
  std::vector<std::string> runpaths;
  std::vector<std::string> needed;
  std::string multilib_category; // "x86_64", or empty on lines of old Portage
};

// VDB PROVIDES / REQUIRES: the sonames of one multilib category.
struct SonameGroup {
  std::string category; // "x86_64"
  std::vector<std::string> sonames;
};

struct Package {
  PackageId id;
  FileList files;
  // The run-time dependencies as the database records them, in the manager's
  // own syntax, one entry per top-level item: a VDB RDEPEND atom or
  // "|| ( a b )" group, an exndbam spec under a run or post label, a dpkg
  // Depends or Pre-Depends alternative list ("libc6 (>= 2.34)",
  // "a | b"), a pacman DEPENDS entry, an rpm Requires.
  std::vector<std::string> dependencies;
  // The build-time ones: VDB DEPEND, exndbam specs under a build or install
  // label; empty for the binary distributions.
  std::vector<std::string> build_dependencies;
  // What the build recorded it was built against: exndbam specs under a
  // built-against label; VDB DEPEND and RDEPEND atoms whose slot operator
  // Portage rewrote to the installed ":SLOT/SUB=" ; dpkg Built-Using and
  // Static-Built-Using entries ("gcc-12 (= 12.2.0-14)").
  std::vector<std::string> built_against;
  // VDB only: NEEDED.ELF.2, PROVIDES and REQUIRES as recorded.
  std::vector<NeededElf> needed_elf;
  std::vector<SonameGroup> provided_sonames;
  std::vector<SonameGroup> required_sonames;
  // Where its entry lives (a folder or file inside the root): named in findings.
  std::string entry;
};

// dpkg: a diversion from /var/lib/dpkg/diversions. Every package that lists
// PATH, except the diverting one, has its copy on disk at DIVERTED_TO.
struct Diversion {
  std::string path;
  std::string diverted_to;
  std::string by; // the diverting package; empty for a local diversion
};

// An entry that could not be read whole: a finding naming the entry; the
// other packages are still read, and the package itself is kept with what
// of it could be read when its identity is known.
struct DamagedEntry {
  std::string entry;
  std::string reason;
};

struct Database {
  Manager manager = Manager::dpkg;
  std::string location; // the database's folder or file inside the root
  std::vector<Package> packages;
  std::vector<Diversion> diversions;
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

// The packages whose file lists a reader keeps, for a caller that needs a
// few (`adopt --package`: the packages named and the owners of the libraries
// they load), where reading and indexing every list would cost more than
// the rest of its work. The others are read without files (dpkg: unread,
// and the damage of a list not wanted is not reported).
struct ListFilter {
  // Packages kept whole, by identity.
  std::function<bool(const PackageId &)> wanted;
  // Also kept: a package listing a file of one of these base names ("libc.so.6").
  std::vector<std::string> file_names;
};
// Whether FILES lists a file called one of NAMES.
bool lists_file_named(const FileList &files, const std::vector<std::string> &names);
llvm::Expected<Database> read_database(const std::string &root, Manager manager, const ListFilter &filter);

} // namespace abitag::packages
