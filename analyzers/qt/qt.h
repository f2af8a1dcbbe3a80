// SPDX-License-Identifier: MIT
// Qt's private API: which ELF files export it (Qt's own libraries and
// plugins), which use it and from which library, the exact Qt version each
// records, and whether a user of it still matches the Qt that would be
// loaded. The one header of the qt analyzer for the rest of abitag.
//
// Qt promises nothing about its private API (*_p.h, QPA classes), not even
// between patch releases. Qt's linker version script puts every private
// symbol under the version Qt_5_PRIVATE_API or Qt_6_PRIVATE_API (with
// -DFEATURE_elf_private_full_version=ON Qt_6.4.2_PRIVATE_API, with
// Fedora's patch Qt_6.10_PRIVATE_API); a user needs that version from the
// library in its .gnu.version_r. The exact version a file was built with is
// in its .qtversion section (Qt's qversiontagging.h: a pointer-sized
// reference to qt_version_tag, then QT_VERSION = major<<16 | minor<<8 |
// patch), which QtCore itself lacks: its build string ("Qt 5.15.8 (x86_64-
// little_endian-lp64 shared (dynamic) release build; by GCC 12.2.0)") says it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "fingerprint/analyzer.h"

namespace abitag::qt {

struct QtVersion {
  unsigned major = 0, minor = 0, patch = 0;
  std::string text() const; // "5.15.8"
  bool operator==(const QtVersion &other) const {
    return major == other.major && minor == other.minor && patch == other.patch;
  }
  bool operator!=(const QtVersion &other) const { return !(*this == other); }
  bool operator<(const QtVersion &other) const {
    return major != other.major ? major < other.major : minor != other.minor ? minor < other.minor : patch < other.patch;
  }
};

// Where a version was read, most exact first.
enum class VersionSource {
  None,
  QtVersionSection, // the file's .qtversion
  BuildString,      // QtCore's "Qt M.m.p (... build ...)" in .rodata
  MangledName,      // QtPrivate_M_m_p in an imported symbol's name (newer Qt 6)
  PrivateTag,       // Qt_M.m.p_PRIVATE_API
  FileName,         // libQt5Gui.so.5.15.8 beside the soname libQt5Gui.so.5
};
const char *source_name(VersionSource source); // "qtversion-section", ...

struct KnownVersion {
  std::optional<QtVersion> version;
  VersionSource source = VersionSource::None;
  std::string text() const;      // the version, or "unknown"
  std::string described() const; // "Qt 5.15.8 (qtversion-section)", or "an unknown Qt version"
};

// A version name of Qt's private API: Qt_<major>[.<minor>[.<patch>]]_PRIVATE_API.
struct PrivateTag {
  unsigned major = 0;
  std::optional<unsigned> minor, patch;
};
std::optional<PrivateTag> parse_private_tag(std::string_view name);

struct ImportedSymbol {
  std::string name;
  bool weak = false; // a weak reference: the loader leaves it null when missing
};

// One private version a file needs from one library.
struct PrivateUse {
  std::string library;  // the soname the version is needed from (a DT_NEEDED entry)
  std::string tag;      // Qt_5_PRIVATE_API, ...
  bool listed_needed = true; // LIBRARY is among the file's DT_NEEDED (ld always makes it so)
  std::vector<ImportedSymbol> symbols; // imported under TAG
};

struct QtFile {
  std::string path;
  std::uint16_t machine = 0;
  std::uint8_t elf_class = 0;
  std::string soname;
  std::vector<std::string> search_paths; // DT_RUNPATH, else DT_RPATH, split at ':'
  std::vector<std::string> private_tags; // the private versions it defines: it exports Qt's private API
  std::vector<std::string> private_exports; // "name\ttag": the symbols defined under them
  std::vector<PrivateUse> private_uses;
  KnownVersion recorded;                 // .qtversion, QtCore's build string or a mangled QtPrivate_M_m_p
  std::optional<QtVersion> file_name_version;

  bool exports_private_api() const { return !private_tags.empty(); }
  bool uses_private_api() const { return !private_uses.empty(); }
};

// Reads PATH (a file to open as it is, no link followed). A file that is not
// ELF or is damaged is an error; one without Qt gives a QtFile with nothing.
llvm::Expected<QtFile> read_qt_file(const std::string &path);
llvm::Expected<QtFile> read_qt_buffer(llvm::MemoryBufferRef buffer, const std::string &path);

// The exact Qt version a library exporting the private API is (its
// recorded version, else its full private tag, else its file name).
KnownVersion provided_version(const QtFile &file);
// The Qt version USE was built against: a full private tag, else the
// version the file records.
KnownVersion built_against(const QtFile &file, const PrivateUse &use);

// The tag value of a set of files: the exact versions of those that export
// the private API, sorted, joined by ',' ("unknown" for one whose version
// abitag cannot read); "none" when no file exports it (nothing of Qt's
// private API to lock on, a real value like cxxabi's "compat").
std::string tag_value(const std::vector<const QtFile *> &files);

// --- abitag qt --check ----------------------------------------------------

// A library a user's private API comes from, as the dynamic linker would
// load it inside a root.
struct Provider {
  std::string path;    // inside the root; empty when not found
  std::string problem; // why it could not be read, when found but unreadable
  std::optional<QtFile> file;
  std::unordered_set<std::string> exports; // QtFile::private_exports
};

// Finds and reads providers inside ROOT (a canonical path): the user's
// DT_RUNPATH (or DT_RPATH) with $ORIGIN, ROOT's /etc/ld.so.conf with its
// includes, then glibc's default folders for the user's machine and class
// (default_library_dirs: the Debian multiarch ones, /lib, /usr/lib);
// ld.so.cache is not read. A file whose class or machine differs from the user's is passed
// over, as ld.so passes it over. Thread-safe; each file is read once.
class ProviderLookup {
public:
  explicit ProviderLookup(std::string root);
  const std::string &root() const { return root_; }
  // ORIGIN: the folder of USER, as a path inside the root.
  const Provider &find(const QtFile &user, const std::string &origin, const std::string &soname);

private:
  const Provider *read_candidate(const QtFile &user, const std::string &inside);
  std::string root_;
  std::vector<std::string> conf_dirs_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Provider>> by_path_; // by path inside the root
  Provider missing_;
};

enum class Severity { Broken, AtRisk };
const char *severity_name(Severity severity); // "broken", "at risk"

// What a finding is about, for a caller that weighs it otherwise (the audit,
// which has locks to go by).
enum class Problem {
  MissingVersion,  // the library does not define the private version (the loader refuses the file)
  MissingSymbol,   // it does not export a private symbol the file imports (so does it)
  VersionDiffers,  // both versions known, and different
  VersionUnknown,  // the file's or the library's version is unknown
  NotFound,        // no library of that soname in the folders searched
  Unreadable,      // found, but it cannot be read
};

struct Finding {
  Severity severity = Severity::AtRisk;
  Problem problem = Problem::VersionUnknown;
  std::string library;       // the soname
  std::string tag;           // the private version needed
  std::string provider_path; // inside the root; empty when not found
  KnownVersion built_against;
  KnownVersion installed;
  std::string detail;        // one sentence, without the user's path
};

// Whether USER, a user of the private API whose folder inside the root is
// ORIGIN, still matches the libraries it takes it from. Broken: a provider
// lacks the private version or a symbol it imports (the loader refuses
// it), or is another Qt version than the known one USER was built against.
// At risk: USER's version is unknown, or the provider's, or the provider is
// not found. One finding per private use at most; none when all is well.
std::vector<Finding> check_private_uses(const QtFile &user, const std::string &origin, ProviderLookup &lookup);

// The same for one private USE of USER whose library the caller found and
// read (PROVIDER.file is set): the audit finds it as its model of ld.so does.
std::optional<Finding> check_private_use(const QtFile &user, const PrivateUse &use, const Provider &provider);

// Adds the qt analyzer: who exports and who uses Qt's private API, the exact
// Qt version each records, and --check.
void register_analyzer(Registry &registry);

} // namespace abitag::qt
