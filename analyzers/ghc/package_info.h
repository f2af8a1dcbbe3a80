// SPDX-License-Identifier: MIT
// InstalledPackageInfo, the text GHC keeps per library component in a
// package database (*.conf), that `Setup register --gen-script` embeds in
// register.sh, and that `ghc-pkg dump` prints between `---` lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>

namespace abitag::ghc {

// One `abi-depends` item, `unitid=hash`: the dependency's ABI hash when the
// dependant was built (Cabal 2.0-2.2 wrote them; later Cabal leaves them out).
struct AbiDependency {
  std::string unit_id;
  std::string abi;
};

// A field as written, name lower-cased (Cabal compares names without case);
// the value has the alignment and indentation stripped, lines joined by '\n'.
struct Field {
  std::string name;
  std::string value;
};

struct PackageInfo {
  std::vector<Field> fields; // every field, unknown ones too, in file order
  std::string id;            // the unit id ("cabal id")
  std::string abi;           // `ghc --abi-hash` of the exposed modules
  std::string name;          // munged for sub-libraries: z-<package>-z-<lib>
  std::string version;
  std::string package_name;  // only written for sub-libraries
  std::string lib_name;      // empty for the main library
  std::vector<std::string> depends;
  std::vector<AbiDependency> abi_depends;

  bool is_main_library() const { return lib_name.empty(); }
  // The package the component belongs to: package-name, else name.
  const std::string &package() const { return package_name.empty() ? name : package_name; }
  // What ghc-pkg calls the unit in its reports: name-version.
  std::string display_name() const { return version.empty() ? name : name + "-" + version; }
  // The field NAME (any case), or null when the record does not have it.
  const Field *field(std::string_view name) const;
};

// Parses one record. Fails on a line that is neither a field, a
// continuation, a comment nor blank, and on a record without `id`.
llvm::Expected<PackageInfo> parse_package_info(std::string_view text);

// The records of a `ghc-pkg dump` stream, split at lines that hold only
// `---`; a single .conf is a stream of one. Blank records are dropped.
std::vector<std::string_view> split_records(std::string_view text);

// Splits a list value as Cabal does: on whitespace and commas.
std::vector<std::string> split_list(std::string_view value);

// Whether FIELD holds a list (printed space-separated, one line).
bool is_list_field(std::string_view field);

// The fields an InstalledPackageInfo can have (Cabal's ipiFieldGrammar, and
// GHC's bytecode-library-dirs), lower-case: what `--field` accepts.
const std::vector<std::string> &known_fields();

// The value of FIELD as `abitag ghc --field` prints it: lists on one line,
// separated by single spaces; other values as stripped lines.
std::string field_text(const PackageInfo &info, std::string_view field);

// Whether the first bytes of a file can start an InstalledPackageInfo record
// or a dump stream: text whose first meaningful line is `name:` or `---`.
bool looks_like_package_info(std::string_view head);

// Whether TEXT holds bytes no text file has (NUL and other C0 controls).
bool is_binary(std::string_view text);

} // namespace abitag::ghc
