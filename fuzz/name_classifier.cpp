// SPDX-License-Identifier: MIT
// The Itanium-name classifier on arbitrary strings, one per line of the
// input, through one classifier as the analyzer reuses it (its parse arena is
// kept between names); and the demangled spelling the symbols command prints.
// A name that cannot_show_family() passes over must show none when parsed.
#include "analyzers/cxxabi/name_classifier.h"
#include "analyzers/cxxabi/scan.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  static cxxabi::NameClassifier classifier;
  std::string_view rest = fuzz::bytes(data, size);
  while (!rest.empty()) {
    std::string_view name = rest.substr(0, rest.find('\n'));
    rest.remove_prefix(std::min(rest.size(), name.size() + 1));
    cxxabi::NameClass c = classifier.classify(name);
    if (c.parsed && !c.itanium)
      __builtin_trap(); // only _Z names are parsed
    cxxabi::NameClass families = classifier.classify(name, cxxabi::Detail::Families);
    if (families.family_free && (c.families || families.families))
      __builtin_trap(); // Detail::Families skipped a name with a family
    abitag::elf::demangle(llvm::StringRef(name.data(), name.size()));
  }
  return 0;
}
