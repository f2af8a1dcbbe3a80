// SPDX-License-Identifier: MIT
// Itanium C++ names as people read them, as c++filt shows them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <llvm/ADT/StringRef.h>

namespace abitag::elf {

// Names longer than this are not parsed (the demangler recurses once per
// nesting level); they are searched only for tokens that cannot occur by
// accident (St7__cxx11, B5cxx11, St3__1...).
inline constexpr std::size_t kMaxParsedNameLength = 8192;

// The function a transaction-safe clone (g++ -fgnu-tm) clones, as a name of
// its own: "_ZGTt<encoding>" -> "_Z<encoding>"; empty for any other name.
// LLVM 14's demangler does not know the prefix (c++filt prints
// "transaction clone for ..."), and the clone belongs to that function.
std::string transaction_clone_target(std::string_view name);

// NAME demangled as c++filt shows it, or NAME itself (not a C++ name, too
// long to parse, or not one the demangler knows).
std::string demangle(llvm::StringRef name);

} // namespace abitag::elf
