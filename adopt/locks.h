// SPDX-License-Identifier: MIT
// What adopted packages' files show they were built against.
//  - ELF: every DT_NEEDED library resolved as the audit's loader resolves it
//    inside the root gives the package that owns it. The dependant is locked
//    on that package's `sonames` tag (its libraries' DT_SONAMEs: a soname
//    bump), and on its cxxabi tag when the library's interface shows C++
//    standard-library ABI evidence (what a dual-ABI rebuild breaks).
//  - GHC: each unit's `depends` names units registered in the same package
//    database; the package owning a unit's .conf is locked on by that unit's
//    tag (ghc:NAME, ghc:PACKAGE:LIB for a sub-library).
//  - Perl: a package's XS modules are locked on the perl tag of the package
//    owning the Config.pm of the perl whose @INC holds them.
//  - SBCL: a package's plain cores are locked on the sbcl tag (the build id)
//    of the package owning the runtime that would load them (an executable
//    carries its own); cores and executables on the sonames tag of the
//    packages owning the foreign libraries they reopen.
//  - OCaml: a unit's imported interfaces are locked on the ocaml tag (its
//    interface digests) of the package installing that interface's .cmi.
//  - Python: a package's extension modules are locked on the python tag
//    (the SOABI) of the package owning each interpreter that imports them.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>

#include "adopt/adopt.h"
#include "adopt/package_lookup.h"
#include "analyzers/ocaml/ocaml.h"
#include "analyzers/perl/perl.h"
#include "analyzers/python/python.h"
#include "audit/progress.h"
#include "packages/owner_index.h"
#include "tagger/store.h"

namespace abitag::adopt {

// One regular file a package owns, with its first bytes.
struct PackageFile {
  std::string path;      // inside the root
  std::string host_path; // where abitag opens it
  std::string head;
  std::string tail; // an ELF file's last bytes (kAdoptionTailBytes), else empty
};

// One package being adopted.
struct PackageFiles {
  const packages::Package *package = nullptr;
  const packages::OwnerIndex *index = nullptr; // the one holding package
  std::string id; // store id
  std::vector<PackageFile> files;
  std::string problem; // why it is skipped, when it is
  std::vector<tagger::Tag> tags; // the analyzers' values
  std::vector<LeftOut> left_out;
};

// The tag key of a package's sonames, and its source (no analyzer makes it).
constexpr const char *kSonamesKey = "sonames";
constexpr const char *kSonamesSource = "adopt";

struct ElfRound; // one round's ELF files, read and linked (locks.cpp)

class Locks {
public:
  Locks(std::string root, PackageLookup &lookup, tagger::Store &store)
      : root_(std::move(root)), lookup_(lookup), store_(store) {}

  // Takes the tags of ROUND's packages (those not skipped), reads their ELF
  // files and finds the providers of the libraries they load. Returns the
  // store ids of providers that neither this run nor the store has tags of:
  // they are adopted next, so the locks have values.
  llvm::Expected<std::set<std::string>> add_round(std::vector<PackageFiles> &round, audit::Progress &progress);
  std::vector<tagger::Tag> take_tags() { return std::move(tags_); }
  // The locks, with the providers' values from this run, else from the store.
  llvm::Expected<std::vector<tagger::Lock>> take_locks();

private:
  // Per provider: the keys of its tags locked on.
  using Providers = std::map<std::string, std::set<std::string>>;
  // Per file a package needs (inside the root): the keys of its owner's
  // tags locked on.
  using Needs = std::map<std::string, std::set<std::string>>;
  void add_ghc_needs(const PackageFiles &files, Needs &out);
  void add_sbcl_needs(const PackageFiles &files, Needs &out);
  void add_kmod_needs(const PackageFiles &files, Needs &out);
  void add_ocaml_needs(const PackageFiles &files, Needs &out);
  void add_python_needs(const PackageFiles &files, Needs &out);
  const std::vector<python::Interpreter> &python_interpreters();
  void add_perl_needs(const PackageFiles &files, Needs &out);
  Needs needs_of(const PackageFiles &files, ElfRound &round);
  llvm::Expected<std::optional<std::string>> value_of(const std::string &package, const std::string &key);

  std::string root_;
  PackageLookup &lookup_;
  tagger::Store &store_;
  std::set<std::string> adopted_;
  std::map<std::string, std::map<std::string, std::string>> values_; // this run's: package -> key -> value
  std::vector<tagger::Tag> tags_;
  std::map<std::string, Providers> needs_; // dependant -> its providers
  std::once_flag ocaml_once_;
  std::unique_ptr<ocaml::Installed> ocaml_installed_; // the root's, read once when a package has OCaml units
  std::once_flag python_read_;
  std::vector<python::Interpreter> python_interpreters_; // installed in the root, read once
  std::once_flag perls_read_;
  std::vector<perl::Perl> perls_; // installed in the root, read on the first package with XS modules
};

} // namespace abitag::adopt
