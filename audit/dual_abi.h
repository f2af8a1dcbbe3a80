// SPDX-License-Identifier: MIT
// Explaining an unresolved C++ symbol by libstdc++'s dual ABI: the same
// function built with _GLIBCXX_USE_CXX11_ABI=0 and =1 has two mangled names
// (std::__cxx11::basic_string vs the old std::string, the [abi:cxx11] tag on
// a function returning one), so a library rebuilt with the other ABI no
// longer exports what its dependants import.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace abitag::audit {

enum class StringAbi { Unknown, Old, New };
const char *string_abi_name(StringAbi abi); // "old (_GLIBCXX_USE_CXX11_ABI=0)"...

// The demangled name with every trace of the dual ABI removed: std::__cxx11::
// dropped, [abi:cxx11] dropped, the spellings of std::string unified. Two
// names with the same neutral form differ only by the ABI they were built for.
// Empty for names that are not Itanium C++ names.
std::string dual_abi_neutral(std::string_view mangled);

// The ABI a mangled name shows by itself (Unknown when it shows none: an old
// ABI function returning std::string by value looks like any other).
StringAbi shown_abi(std::string_view mangled);

struct DualAbiTwin {
  std::string name;      // the export that differs only by the ABI
  std::string version;
  std::string library;   // path inside ROOT
  StringAbi importer_abi = StringAbi::Unknown; // what the importing file was built with
  StringAbi exporter_abi = StringAbi::Unknown; // what the library was built with
};

} // namespace abitag::audit
