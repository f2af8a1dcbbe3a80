// SPDX-License-Identifier: MIT
// Classifying one Itanium-mangled symbol name by the standard-library ABI it
// shows. The name is parsed with LLVM's Itanium demangler and its AST is
// walked, so "Ss" inside "_Z1f2XSs" (a type XS and a short) is never taken
// for std::string, as a substring search would.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "elf/demangle.h"

namespace abitag::cxxabi {

// The ABI families a name can show evidence of (a bit set).
enum Family : std::uint8_t {
  kOldAbi = 1,   // libstdc++ before the GCC 5 dual ABI: Ss/Sb, std::list, old facets
  kNewAbi = 2,   // libstdc++'s dual ABI: std::__cxx11, [abi:cxx11]
  kLibcxx = 4,   // LLVM libc++: std::__1, std::__2, std::__ndk1
  kDialect = 8,  // a C++11-dialect tag (map::erase, complex::real), not the string ABI
};

struct NameClass {
  std::uint8_t families = 0;
  bool itanium = false;         // starts with _Z
  bool parsed = false;          // the demangler understood it
  bool std_free = false;        // not parsed: no token that can name std (see classify)
  bool family_free = false;     // not parsed: no token through which a family can show (Detail::Families)
  bool std_scoped = false;      // the named entity lives in std, __gnu_cxx or __cxxabiv1
  bool old_list_entity = false; // a member of the old std::list or std::_List_base
  bool pair_by_value = false;   // takes or returns std::pair by value
  bool transaction_clone = false; // GCC's transaction-safe clone (_ZGTt) of the entity
};

// Names longer than kMaxParsedNameLength are not parsed, and a transaction
// clone is classified as the function it clones (elf/demangle.h, which
// shows names the same way).
using elf::kMaxParsedNameLength;
using elf::transaction_clone_target;

// What classify() must find out of a name.
enum class Detail {
  Full,     // every field: `abitag symbols` shows the scope of each name
  Families, // the families, and the other fields only of names that show one: a file's verdict
};

// Whether no family can come out of parsing NAME: it has none of the tokens
// through which one shows (see the definition). Such a name is classified
// without being parsed at Detail::Families: three quarters of the names
// that name std under /usr.
bool cannot_show_family(std::string_view name);

// Reusable and not thread-safe: it keeps its parse arena between names.
class NameClassifier {
public:
  NameClassifier();
  ~NameClassifier();
  NameClassifier(const NameClassifier &) = delete;
  NameClassifier &operator=(const NameClassifier &) = delete;

  NameClass classify(std::string_view name, Detail detail = Detail::Full);

private:
  NameClass classify_name(std::string_view name, Detail detail);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What joins family names: ',' is in none of them ("libc++" holds '+'), so
// a joined value splits back into exactly its families.
inline constexpr char kFamilySeparator = ',';

// The names of the families in FAMILIES, in bit order, joined by
// kFamilySeparator; NONE when there are none.
using FamilyNames = std::array<const char *, 4>; // kOldAbi, kNewAbi, kLibcxx, kDialect
std::string join_families(std::uint8_t families, const FamilyNames &names, const char *none);

// How many families FAMILIES holds (C++17, for the clang 14 fuzz build).
inline std::size_t family_count(std::uint8_t families) { return std::bitset<8>(families).count(); }

// "old", "new", "libc++", "dialect" joined by ',', or "-" for none.
std::string family_string(std::uint8_t families);

} // namespace abitag::cxxabi
