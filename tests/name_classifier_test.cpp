// SPDX-License-Identifier: MIT
// Names are the ones GCC 12 and clang 14 emit for the research's experiments
// (shared/research/cxxabi.md §2.3-§3.8), plus the traps a substring search
// falls into.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "analyzers/cxxabi/name_classifier.h"
#include "analyzers/cxxabi/scan.h"
#include "elf/demangle.h"
#include "elf/symbol_reader.h"
#include "tests/support.h"

using namespace abitag::cxxabi;
using namespace abitag::elf;
using abitag::test::fixture;

namespace {
std::string families(const char *name) {
  NameClassifier classifier;
  return family_string(classifier.classify(name).families);
}
} // namespace

TEST_CASE("the new dual ABI: std::__cxx11 and [abi:cxx11]", "[classifier]") {
  CHECK(families("_ZN3lib11take_stringERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE") == "new");
  CHECK(families("_ZN3lib10get_stringB5cxx11Ei") == "new"); // return type tag
  CHECK(families("_ZN3lib9take_listERNSt7__cxx114listIiSaIiEEE") == "new");
  CHECK(families("_ZNSt7__cxx1110_List_baseIiSaIiEE8_M_clearEv") == "new");
  CHECK(families("_ZN3lib12take_failureERKNSt8ios_base7failureB5cxx11E") == "new");
  CHECK(families("_ZNKSt6locale4nameB5cxx11Ev") == "new");
  CHECK(families("_ZSt9use_facetINSt7__cxx118numpunctIcEEERKT_RKSt6locale") == "new");
}

TEST_CASE("the old ABI: Ss and Sb and std::list and old facets and untagged failure", "[classifier]") {
  CHECK(families("_ZN3lib11take_stringERKSs") == "old");
  CHECK(families("_ZNSs6assignERKSs") == "old");
  CHECK(families("_ZN3lib4wideERKSbIwSt11char_traitsIwESaIwEE") == "old");
  CHECK(families("_ZN3lib9take_listERSt4listIiSaIiEE") == "old");
  CHECK(families("_ZNSt10_List_baseIiSaIiEE8_M_clearEv") == "old");
  CHECK(families("_ZN3lib12take_failureERKNSt8ios_base7failureE") == "old");
  CHECK(families("_ZSt9use_facetISt8numpunctIcEERKT_RKSt6locale") == "old");
  CHECK(families("_ZN3lib12take_timegetERKSt8time_getIcSt19istreambuf_iteratorIcSt11char_traitsIcEEE") == "old");
}

TEST_CASE("libc++ namespaces", "[classifier]") {
  CHECK(families("_ZN3lib11take_stringERKNSt3__112basic_stringIcNS_11char_traitsIcEENS_9allocatorIcEEEE") == "libc++");
  CHECK(families("_ZNSt3__24listIiNS_9allocatorIiEEE5clearEv") == "libc++");
  CHECK(families("_ZN3lib1fERKNSt6__ndk112basic_stringIcNS0_11char_traitsIcEENS0_9allocatorIcEEEE") == "libc++");
}

TEST_CASE("C++11 dialect tags are not the string ABI", "[classifier]") {
  CHECK(families("_ZNSt3mapIiiSt4lessIiESaISt4pairIKiiEEE5eraseB5cxx11ESt17_Rb_tree_iteratorIS4_E") == "dialect");
  CHECK(families("_ZNKSt7complexIdE4realB5cxx11Ev") == "dialect");
  CHECK(families("_ZNSt8_Rb_treeIiSt4pairIKiiESt10_Select1stIS2_ESt4lessIiESaIS2_EE5eraseB5cxx11ESt17_Rb_tree_iteratorIS2_E") == "dialect");
  // The same member of a map over new-ABI strings: dialect and new.
  CHECK(families("_ZNSt3mapINSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEiSt4lessIS5_ESaISt4pairIKS5_iEEE5eraseB5cxx11ESt17_Rb_tree_iteratorISA_E") == "new,dialect");
}

TEST_CASE("substrings that only look like evidence", "[classifier]") {
  CHECK(families("_Z1f2XSs") == "-");               // f(XS, short)
  CHECK(families("_ZN4MySs1fEv") == "-");            // MySs::f()
  CHECK(families("_ZN14BestSt4listing1gEv") == "-"); // BestSt4listing::g()
  CHECK(families("_ZN3foo3std4listIiEE") == "-");    // foo::std::list, not ::std
  CHECK(families("_ZN3lib6Holder3setEPKc") == "-");  // invisible in both ABIs
  CHECK(families("_ZNSt8__detail15_List_node_base7_M_hookEPS0_") == "-");
  CHECK(families("strlen") == "-");
}

TEST_CASE("scope: std entities and special names and the runtime", "[classifier]") {
  NameClassifier classifier;
  CHECK(classifier.classify("_ZNSt7__cxx1110_List_baseIiSaIiEE8_M_clearEv").std_scoped);
  CHECK(classifier.classify("_ZNSs6assignERKSs").std_scoped);
  CHECK(classifier.classify("_ZTVNSt7__cxx1115basic_stringbufIcSt11char_traitsIcESaIcEEE").std_scoped);
  CHECK(classifier.classify("_ZTIPKc").std_scoped); // typeinfo for char const*
  CHECK_FALSE(classifier.classify("_ZN3lib11take_stringERKSs").std_scoped);
  CHECK_FALSE(classifier.classify("_ZTVN3lib6HolderE").std_scoped);
  // A user template returning std::list: the entity is lib::make, not std.
  NameClass make = classifier.classify("_ZN3lib4makeIiEESt4listIT_SaIS2_EEv");
  CHECK_FALSE(make.std_scoped);
  CHECK(family_string(make.families) == "old");
  CHECK(classifier.classify("_ZNSt4listIiSaIiEE9push_backERKi").old_list_entity);
  CHECK_FALSE(classifier.classify("_ZNSt7__cxx114listIiSaIiEE9push_backERKi").old_list_entity);
}

TEST_CASE("std::pair by value is noticed for the GCC 4.7.0/4.7.1 hazard", "[classifier]") {
  NameClassifier classifier;
  CHECK(classifier.classify("_ZN3lib4takeESt4pairIiiE").pair_by_value);
  CHECK_FALSE(classifier.classify("_ZN3lib4takeERKSt4pairIiiE").pair_by_value);
}

TEST_CASE("names the demangler cannot parse fall back to safe tokens only", "[classifier]") {
  NameClassifier classifier;
  NameClass broken = classifier.classify("_ZN3libXXXSt7__cxx11garbage");
  CHECK_FALSE(broken.parsed);
  CHECK(family_string(broken.families) == "new");
  NameClass broken_ss = classifier.classify("_ZXSsgarbage");
  CHECK(family_string(broken_ss.families) == "-"); // "Ss" is never trusted as a substring
  std::string huge = "_ZN3lib" + std::string(kMaxParsedNameLength, 'P') + "ENSt7__cxx114listE";
  NameClass long_name = classifier.classify(huge);
  CHECK_FALSE(long_name.parsed);
  CHECK_FALSE(long_name.std_free);
  CHECK(long_name.itanium);
  CHECK(family_string(long_name.families) == "new");
}

TEST_CASE("names without a token that can name std are not parsed", "[classifier]") {
  NameClassifier classifier;
  NameClass plain = classifier.classify("_ZN4llvm5Value7setNameERKNS_5TwineE");
  CHECK(plain.itanium);
  CHECK(plain.std_free);
  CHECK_FALSE(plain.parsed);
  CHECK(plain.families == 0);
  // The old ABI's f() returning std::string has no token, its new twin a tag.
  CHECK(classifier.classify("_ZN3lib10get_stringEi").std_free);
  CHECK_FALSE(classifier.classify("_ZN3lib10get_stringB5cxx11Ei").std_free);
  CHECK_FALSE(classifier.classify("_ZN3lib11take_stringERKSs").std_free);
  CHECK_FALSE(classifier.classify("_ZN9__gnu_cxx13new_allocatorIcE8allocateEmPKv").std_free);
  CHECK_FALSE(classifier.classify("_ZTIPKc").std_free); // special names are always parsed
}

// The skip must never hide anything: every name skipped, in the fixtures
// and in libLLVM (a build dependency: 38,000 C++ exports, two thirds of them
// without std), demangles to text without std, __gnu_cxx, __cxxabiv1 or an
// ABI tag, and the names the parse does see are classified as before.
namespace {
// Files whose every symbol name the skips are checked on: the fixtures of
// every family, and libLLVM and libstdc++ (build dependencies) where present.
std::vector<std::string> names_corpus() {
  std::vector<std::string> files = {fixture("cxxabi/new-O0/libnew.so"), fixture("cxxabi/old-O0/libold.so"),
                                    fixture("cxxabi/libcxx/liblibcxx.so"), fixture("cxxabi/dialect/libdialect.so"),
                                    fixture("cxxabi/exe/app")};
  for (const char *library : {"/usr/lib/llvm-14/lib/libLLVM-14.so", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"})
    if (char *real = ::realpath(library, nullptr)) { // the reader does not follow links
      files.push_back(real);
      std::free(real);
    }
  return files;
}

// Calls CHECK_NAME(path, symbol) on every symbol of names_corpus().
template <class Check> void for_each_corpus_name(Check check_name) {
  for (const std::string &path : names_corpus()) {
    auto file = read_symbol_file(path);
    if (!file)
      FAIL(path << ": " << llvm::toString(file.takeError()));
    for (const ObjectSymbols &object : file->objects)
      for (const Symbol &symbol : object.symbols)
        check_name(path, symbol);
  }
}
} // namespace

TEST_CASE("a skipped name never names the standard library, by the demangler's text", "[classifier]") {
  NameClassifier classifier;
  std::size_t skipped = 0, parsed = 0;
  for_each_corpus_name([&](const std::string &path, const Symbol &symbol) {
    NameClass c = classifier.classify(symbol.name);
    if (!c.std_free) {
      parsed += c.itanium;
      return;
    }
    ++skipped;
    std::string text = abitag::elf::demangle(symbol.name);
    INFO(path << ": " << symbol.name.str() << " = " << text);
    CHECK(text != symbol.name.str()); // the demangler understands it
    // decltype(nullptr), the builtin type Dn, is printed as std::nullptr_t.
    for (std::size_t at; (at = text.find("std::nullptr_t")) != std::string::npos;)
      text.erase(at, 5);
    for (const char *token : {"std::", "__gnu_cxx", "__cxxabiv1", "[abi:"})
      CHECK(text.find(token) == std::string::npos);
  });
  CHECK(skipped > 0);
  CHECK(parsed > 0);
}

TEST_CASE("Detail::Families parses only names with a token through which a family shows", "[classifier]") {
  // Each family's tokens, and std:: entities that show none.
  CHECK_FALSE(cannot_show_family("_ZN3lib10get_stringB5cxx11Ei"));           // [abi:cxx11]
  CHECK_FALSE(cannot_show_family("_ZNSt7__cxx114listIiSaIiEE5clearEv"));     // std::__cxx11
  CHECK_FALSE(cannot_show_family("_ZNKSs4sizeEv"));                           // Ss: std::string
  CHECK_FALSE(cannot_show_family("_ZNSbIwSt11char_traitsIwESaIwEE4swapERS2_")); // Sb
  CHECK_FALSE(cannot_show_family("_ZNSt4listIiSaIiEE5clearEv"));             // the old std::list
  CHECK_FALSE(cannot_show_family("_ZNSt3__16vectorIiNS_9allocatorIiEEE9push_backERKi")); // libc++
  CHECK_FALSE(cannot_show_family("_ZNSt6__ndk16vectorIiNS_9allocatorIiEEE5clearEv"));
  CHECK_FALSE(cannot_show_family("_ZNSt9__cxx19984listIiSaIiEE5clearEv")); // the debug mode's base
  CHECK_FALSE(cannot_show_family("_ZNSt8ios_base7failureC1EPKc"));
  CHECK_FALSE(cannot_show_family("_ZStL8numpunctIcE"));                      // internal linkage
  CHECK(cannot_show_family("_ZNSt6vectorIiSaIiEE9push_backERKi"));
  CHECK(cannot_show_family("_ZSt9terminatev"));
  CHECK(cannot_show_family("_ZNSt9exceptionD2Ev"));
  CHECK(cannot_show_family("_ZN3lib6listenEv")); // "list" outside std

  NameClassifier classifier;
  NameClass skipped = classifier.classify("_ZNSt6vectorIiSaIiEE9push_backERKi", Detail::Families);
  CHECK(skipped.family_free);
  CHECK_FALSE(skipped.parsed);
  CHECK(skipped.itanium);
  NameClass full = classifier.classify("_ZNSt6vectorIiSaIiEE9push_backERKi", Detail::Full);
  CHECK(full.parsed);
  CHECK(full.std_scoped);
  CHECK_FALSE(full.family_free);
}

// Every name that Detail::Families skips, in the fixtures, libLLVM and
// libstdc++ (which define all of std's dual-ABI classes), shows no family
// when parsed; every other name is classified as in full.
TEST_CASE("a name Detail::Families skips shows no family when parsed", "[classifier]") {
  NameClassifier classifier;
  std::size_t skipped = 0, skipped_std = 0, with_family = 0;
  for_each_corpus_name([&](const std::string &path, const Symbol &symbol) {
    NameClass full = classifier.classify(symbol.name, Detail::Full);
    NameClass some = classifier.classify(symbol.name, Detail::Families);
    INFO(path << ": " << symbol.name.str() << " = " << abitag::elf::demangle(symbol.name));
    with_family += full.families != 0;
    if (!some.family_free) {
      CHECK(some.families == full.families);
      CHECK(some.std_scoped == full.std_scoped);
      CHECK(some.old_list_entity == full.old_list_entity);
      CHECK(some.pair_by_value == full.pair_by_value);
      return;
    }
    ++skipped;
    skipped_std += full.std_scoped;
    CHECK_FALSE(some.parsed);
    CHECK(full.families == 0);
  });
  CHECK(with_family > 1000); // libstdc++ alone exports thousands of each ABI's
  CHECK(skipped_std > 1000); // names in std are skipped, not only those without it
}
