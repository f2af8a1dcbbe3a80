// SPDX-License-Identifier: MIT
// OCaml's compiled units as their files show them: each unit's own
// interface digest (the MD5 of its .cmi) and the interface and
// implementation digests it was compiled against; findlib's META files.
// The one header of the ocaml analyzer for the rest of abitag.
//
// What breaks: the compiler and Dynlink refuse to use two units together
// when one recorded another's interface with a digest that differs from the
// interface now installed ("The files b.cmi and a.cmi make inconsistent
// assumptions over interface A"); native linking does the same over
// implementations (the .cmx digest). So a library rebuilt with a changed
// interface breaks every installed library compiled against it until they
// are rebuilt too.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>

#include "fingerprint/analyzer.h"

namespace abitag::ocaml {

enum class FileKind { Cmi, Cmo, Cma, Cmx, Cmxa, Cmxs };
const char *kind_name(FileKind kind); // "cmi", ...

// One imported digest: the unit's name and the MD5 as 32 hex digits, empty
// for an import of an alias only (ocamlobjinfo's "--------"), which the
// compiler does not check.
struct Import {
  std::string name;
  std::string crc;
};

struct CompilationUnit {
  std::string name;
  std::string interface_crc;      // its own interface's digest, empty when none is recorded
  std::string implementation_crc; // native units (.cmx, .cmxa, .cmxs): its own implementation's
  std::vector<Import> interfaces;      // the interfaces it was compiled against, itself left out
  std::vector<Import> implementations; // native units: the implementations it was compiled against
};

struct OcamlFile {
  std::string path;
  FileKind kind = FileKind::Cmi;
  std::string magic; // "Caml1999I030": the kind letter and the compiler's format version
  std::vector<CompilationUnit> units;
};

// Whether HEAD (a file's first bytes) starts a compiled interface or
// implementation ("Caml1999" and a kind letter abitag reads).
bool looks_like_unit(std::string_view head);
// Reads FILE (its bytes; PATH names it) as its magic number says; a .cmxs is
// an ELF shared object whose caml_plugin_header symbol holds the units.
// Damage (a truncated file, Marshal lengths that run past it, a layout that
// is not the compiler's) is an error.
llvm::Expected<OcamlFile> read_ocaml_file(std::string_view bytes, const std::string &path);

// --- what a root has installed ------------------------------------------------

struct InstalledUnit {
  std::string path; // inside the root
  std::string crc;
};
// Every unit installed in ROOT's OCaml library folders (/usr/lib/ocaml,
// /usr/local/lib/ocaml): its interfaces (.cmi) and native implementations
// (.cmx), by unit name; unreadable files go to ERRORS.
struct Installed {
  std::vector<std::string> folders; // host paths walked
  std::map<std::string, std::vector<InstalledUnit>> interfaces;
  std::map<std::string, std::vector<InstalledUnit>> implementations;
  std::string magic; // the installed stdlib.cmi's, or empty
};
// The library folders of ROOT (a canonical host path) that exist, as host paths.
std::vector<std::string> library_folders(const std::string &root);
Installed installed_units(const std::string &root, std::vector<InputError> &errors);
// Every compiled file in ROOT's library folders (.cmi and .cmx only when
// INTERFACES_ONLY), named by its path inside ROOT.
std::vector<OcamlFile> library_files(const std::string &root, bool interfaces_only, std::vector<InputError> &errors);
// Adds the units of FILE (named by its path inside the root) to INSTALLED.
void add_installed(const OcamlFile &file, Installed &installed);
// Whether PATH names a native plugin (.cmxs), the one unit file in ELF.
bool is_plugin_name(const std::string &path);

// --- --check ------------------------------------------------------------------

// One import that disagrees with what is installed.
struct Inconsistency {
  std::string unit;
  std::string name; // the interface or implementation
  bool implementation = false; // over an implementation: native code only
  std::string imported_crc;
  std::string installed_crc;
  std::string installed_path;
  std::string message() const; // "makes inconsistent assumptions over interface A: ..."
};
// The imports of FILE's units whose digest no installed unit of that name
// has; an import nothing installed provides is none (a missing unit is
// another error, and the interface may come with the dependant's build).
std::vector<Inconsistency> check_file(const OcamlFile &file, const Installed &installed);
// The installed unit of NAME that IMPORT was compiled against (its digest),
// else the first of that name, else null.
const InstalledUnit *provider(const Import &import, const Installed &installed);

// --- findlib ------------------------------------------------------------------

struct MetaPackage {
  std::string name;     // "liba", "threads.posix"
  std::string path;     // its META file, inside the root
  std::vector<std::string> required; // every package named by a requires line
};
// The packages a META file defines (its subpackages as NAME.SUB); NAME is the
// package the file is for (its folder, or the X of META.X).
std::vector<MetaPackage> parse_meta(std::string_view text, const std::string &name, const std::string &path);
// Whether a file name is a findlib META file's: "META" or "META.NAME".
bool is_meta_name(std::string_view name);
// The package name a META file at PATH is for.
std::string meta_package_name(const std::string &path);
// Every findlib package installed in ROOT's library folders.
std::vector<MetaPackage> installed_meta(const std::string &root, std::vector<InputError> &errors);
// The requirements of PACKAGE that no package of KNOWN (names) defines.
std::vector<std::string> missing_requires(const MetaPackage &package, const std::map<std::string, std::string> &known);

// Adds the ocaml analyzer: units' digests, their tag, --check.
void register_analyzer(Registry &registry);

} // namespace abitag::ocaml
