// SPDX-License-Identifier: MIT
#include "audit/dual_abi.h"

#include "analyzers/cxxabi/cxxabi.h"
#include "elf/demangle.h"

namespace abitag::audit {
namespace {

void replace_all(std::string &text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

} // namespace

const char *string_abi_name(StringAbi abi) {
  switch (abi) {
  case StringAbi::Old: return "the old ABI (_GLIBCXX_USE_CXX11_ABI=0)";
  case StringAbi::New: return "the C++11 dual ABI (_GLIBCXX_USE_CXX11_ABI=1, GCC 5 and later's default)";
  case StringAbi::Unknown: return "an unknown ABI";
  }
  return "?";
}

std::string dual_abi_neutral(std::string_view mangled) {
  if (mangled.substr(0, 2) != "_Z")
    return {};
  std::string text = elf::demangle(llvm::StringRef(mangled.data(), mangled.size()));
  if (text == mangled)
    return {};
  replace_all(text, "std::__cxx11::", "std::");
  replace_all(text, "__gnu_cxx::__cxx11::", "__gnu_cxx::");
  replace_all(text, "[abi:cxx11]", "");
  // The old string is printed as std::string, the new one spelled out.
  replace_all(text, "std::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string");
  replace_all(text, "std::basic_string<wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t> >",
              "std::wstring");
  return text;
}

StringAbi shown_abi(std::string_view mangled) {
  thread_local cxxabi::NameClassifier classifier;
  cxxabi::NameClass c = classifier.classify(mangled);
  bool old_abi = c.families & cxxabi::kOldAbi, new_abi = c.families & cxxabi::kNewAbi;
  if (new_abi && !old_abi)
    return StringAbi::New;
  if (old_abi && !new_abi)
    return StringAbi::Old;
  return StringAbi::Unknown;
}

} // namespace abitag::audit
