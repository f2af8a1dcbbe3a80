// SPDX-License-Identifier: MIT
#include "elf/demangle.h"

#include <cstdlib>

#include <llvm/Demangle/Demangle.h>

namespace abitag::elf {
namespace {

// TEXT demangled by LLVM's Itanium demangler, or TEXT itself.
std::string itanium_demangle(const std::string &text) {
  int status = 0;
  char *demangled = llvm::itaniumDemangle(text.c_str(), nullptr, nullptr, &status);
  if (!demangled)
    return text;
  std::string out(demangled);
  std::free(demangled);
  return out;
}

} // namespace

std::string transaction_clone_target(std::string_view name) {
  constexpr std::string_view kPrefix = "_ZGTt";
  if (name.substr(0, kPrefix.size()) != kPrefix)
    return {};
  return "_Z" + std::string(name.substr(kPrefix.size()));
}

std::string demangle(llvm::StringRef name) {
  // The demangler recurses once per nesting level: a long enough name (a
  // million 'P's) would overflow the stack. The classifier stops at the same
  // length, so what is shown is what was classified.
  if (!name.startswith("_Z") || name.size() > kMaxParsedNameLength)
    return name.str();
  // A clone is shown as c++filt shows it; LLVM 14 does not know the prefix.
  std::string cloned = transaction_clone_target(std::string_view(name.data(), name.size()));
  if (cloned.empty())
    return itanium_demangle(name.str());
  std::string function = itanium_demangle(cloned);
  return function == cloned ? name.str() : "transaction clone for " + function;
}

} // namespace abitag::elf
