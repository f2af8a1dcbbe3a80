// SPDX-License-Identifier: MIT
// Special names (transaction clones, thunks, guard variables, reference
// temporaries) are classified as the entity they belong to. The names are
// real: those g++ -fgnu-tm wrote into tests/fixtures/cxxabi/special, and
// those of this machine's libstdc++.so.6; c++filt says which entity each
// belongs to.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "analyzers/cxxabi/name_classifier.h"
#include "analyzers/cxxabi/scan.h"
#include "elf/demangle.h"
#include "tests/support.h"

using namespace abitag::cxxabi;
using namespace abitag::test;

namespace {

constexpr const char *kLibstdcxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

// <call-offset> ::= h <number> _ | v <number> _ <number> _ (a number may
// start with n); returns where the offset ends, or npos.
std::size_t skip_call_offset(const std::string &name, std::size_t at) {
  int numbers = at < name.size() && name[at] == 'h' ? 1 : at < name.size() && name[at] == 'v' ? 2 : 0;
  if (!numbers)
    return std::string::npos;
  ++at;
  for (int i = 0; i < numbers; ++i) {
    at = name.find('_', at);
    if (at == std::string::npos)
      return at;
    ++at;
  }
  return at;
}

// The entity a special name belongs to, as a name of its own, and the words
// c++filt puts before it; {"", ""} for any other name.
std::pair<std::string, std::string> entity_of(const std::string &name) {
  auto prefixed = [&](const char *prefix) { return name.rfind(prefix, 0) == 0; };
  if (prefixed("_ZGTt"))
    return {"_Z" + name.substr(5), "transaction clone for "};
  if (prefixed("_ZGV"))
    return {"_Z" + name.substr(4), "guard variable for "};
  if (prefixed("_ZGR") && name.back() == '_') // with no <seq-id>: the first temporary
    return {"_Z" + name.substr(4, name.size() - 5), "reference temporary #0 for "};
  if (prefixed("_ZTh") || prefixed("_ZTv")) {
    std::size_t end = skip_call_offset(name, 3);
    return {"_Z" + name.substr(end), prefixed("_ZTh") ? "non-virtual thunk to " : "virtual thunk to "};
  }
  if (prefixed("_ZTc")) {
    std::size_t end = skip_call_offset(name, skip_call_offset(name, 4));
    return {"_Z" + name.substr(end), "covariant return thunk to "};
  }
  return {"", ""};
}

// c++filt's spelling of each name, in one run.
std::vector<std::string> cxxfilt(const std::vector<std::string> &names) {
  std::string input;
  for (const std::string &name : names)
    input += name + "\n";
  Run r = run("c++filt", {}, input);
  REQUIRE(r.exit_code == 0);
  return lines(r.out);
}

// The defined and undefined dynamic symbol names of FILE that nm lists,
// without versions, keeping those starting with one of PREFIXES.
std::vector<std::string> nm_dynamic(const std::string &file, const std::vector<std::string> &prefixes) {
  Run r = run("nm", {"-D", file});
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> out;
  for (const std::string &line : lines(r.out)) {
    std::string name = line.substr(line.rfind(' ') + 1);
    name = name.substr(0, name.find('@'));
    for (const std::string &prefix : prefixes)
      if (name.rfind(prefix, 0) == 0) {
        out.push_back(name);
        break;
      }
  }
  return out;
}

// Every special name is classified as its entity, and c++filt names that
// entity after its words for the kind of special name.
void check_as_entities(const std::vector<std::string> &names) {
  REQUIRE(have_tool("c++filt"));
  std::vector<std::string> entities, both;
  for (const std::string &name : names) {
    auto [entity, words] = entity_of(name);
    REQUIRE_FALSE(entity.empty());
    both.push_back(name);
    both.push_back(entity);
  }
  std::vector<std::string> shown = cxxfilt(both);
  REQUIRE(shown.size() == both.size());
  NameClassifier classifier;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string &name = names[i];
    auto [entity, words] = entity_of(name);
    INFO(name << " -> " << entity);
    // binutils 2.40's c++filt leaves the reference temporary of a
    // namespace-scope name (_ZGRN3lib6answerE_, as g++ 12 writes it)
    // undemangled; LLVM's demangler names its entity.
    if (shown[2 * i] == name && name.rfind("_ZGRN", 0) == 0)
      CHECK(abitag::elf::demangle(name) == "reference temporary for " + abitag::elf::demangle(entity));
    else
      CHECK(shown[2 * i] == words + shown[2 * i + 1]);
    NameClass special = classifier.classify(name), own = classifier.classify(entity);
    CHECK(special.families == own.families);
    CHECK(special.std_scoped == own.std_scoped);
    CHECK(special.transaction_clone == (words == std::string("transaction clone for ")));
    NameClass quick = classifier.classify(name, Detail::Families);
    CHECK(quick.families == own.families);
  }
}

const std::vector<std::string> kFixtureSpecials = {
    "_ZGTtN3lib3addEii",
    "_ZGTtN3lib6lengthERKSs",
    "_ZThn16_N3lib7Derived4hookERKSs",
    "_ZThn16_N3lib7DerivedD1Ev",
    "_ZTv0_n24_N3lib7DerivedD1Ev",
    "_ZTch0_v0_n24_NK3lib7Derived5cloneEv",
    "_ZTcv0_n32_v0_n24_NK3lib7Derived5cloneEv",
    "_ZGVN3lib8greetingE",
    "_ZGRN3lib6answerE_",
    "_ZGRZN3lib8fallbackEvE1r_",
    "_ZGVZN3lib8fallbackEvE1r",
    "_ZGTtNSt11logic_errorC1ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE",
    "_ZGTtNSt11logic_errorC1EPKc",
    "_ZGTtNKSt11logic_error4whatEv",
};

} // namespace

TEST_CASE("special names in a g++ -fgnu-tm library are their entities", "[classifier][special]") {
  std::vector<std::string> found = nm_dynamic(fixture("cxxabi/special/libspecial.so"),
                                              {"_ZGTt", "_ZTh", "_ZTv", "_ZTc", "_ZGV", "_ZGR"});
  for (const std::string &name : kFixtureSpecials)
    CHECK(std::find(found.begin(), found.end(), name) != found.end());
  check_as_entities(found);

  NameClassifier classifier;
  // The library's own: its interface, old ABI where std::string shows.
  NameClass own_clone = classifier.classify("_ZGTtN3lib6lengthERKSs");
  CHECK(family_string(own_clone.families) == "old");
  CHECK_FALSE(own_clone.std_scoped);
  CHECK(family_string(classifier.classify("_ZThn16_N3lib7Derived4hookERKSs").families) == "old");
  CHECK_FALSE(classifier.classify("_ZGVN3lib8greetingE").std_scoped);
  CHECK_FALSE(classifier.classify("_ZGRN3lib6answerE_").std_scoped);
  CHECK(family_string(classifier.classify("_ZGRZN3lib8fallbackEvE1r_").families) == "-");
  // libstdc++'s clone: the standard library's, new ABI by its parameter.
  NameClass std_clone =
      classifier.classify("_ZGTtNSt11logic_errorC1ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE");
  CHECK(std_clone.std_scoped);
  CHECK(std_clone.transaction_clone);
  CHECK(family_string(std_clone.families) == "new");
}

TEST_CASE("libstdc++'s transaction clones, thunks and guards are the standard library's",
          "[classifier][special]") {
  std::vector<std::string> clones = nm_dynamic(kLibstdcxx, {"_ZGTt"});
  CHECK(clones.size() >= 60);
  check_as_entities(clones);
  std::vector<std::string> others = nm_dynamic(kLibstdcxx, {"_ZTh", "_ZTv", "_ZTc", "_ZGV"});
  CHECK(others.size() >= 50);
  check_as_entities(others);
  NameClassifier classifier;
  for (const std::string &name : others)
    CHECK(classifier.classify(name).std_scoped);
}

TEST_CASE("a library whose own interface is old-ABI, with devtoolset's std clones, is old-dual-abi",
          "[cli][special]") {
  std::string library = fixture("cxxabi/special/libspecial.so");
  Run r = run(abitag_binary(), {"cxxabi", "--json", "--scheme", "abi", library});
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["value"] == "libstdc++-old");
  REQUIRE(doc["files"].size() == 1);
  CHECK(doc["files"][0]["verdict"] == "old-dual-abi");
  CHECK(doc["files"][0]["flags"] == nlohmann::json::array({"embeds-stdlib"}));
  CHECK(doc["files"][0]["counts"].count("interface/new") == 0);

  // Per symbol, through `abitag symbols`: scope and c++filt's entity.
  Run symbols = run(abitag_binary(), {"symbols", library});
  REQUIRE(symbols.exit_code == 0);
  std::map<std::string, std::vector<std::string>> rows; // name -> columns
  for (const std::string &line : lines(symbols.out)) {
    std::vector<std::string> columns;
    for (std::size_t at = 0, tab; at != std::string::npos; at = tab == std::string::npos ? tab : tab + 1) {
      tab = line.find('\t', at);
      columns.push_back(line.substr(at, tab == std::string::npos ? tab : tab - at));
    }
    if (columns.size() == 8)
      rows[columns[3]] = columns;
  }
  auto scope = [&](const std::string &name) { return rows.count(name) ? rows[name][7] : "(missing)"; };
  auto family = [&](const std::string &name) { return rows.count(name) ? rows[name][6] : "(missing)"; };
  CHECK(scope("_ZGTtN3lib6lengthERKSs") == "interface");
  CHECK(family("_ZGTtN3lib6lengthERKSs") == "old");
  CHECK(scope("_ZThn16_N3lib7Derived4hookERKSs") == "interface");
  CHECK(scope("_ZGVN3lib8greetingE") == "interface");
  CHECK(scope("_ZGRN3lib6answerE_") == "interface");
  std::string std_clone = "_ZGTtNSt11logic_errorC1ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE";
  CHECK(scope(std_clone) == "embedded-stdlib");
  CHECK(family(std_clone) == "new");
  for (const auto &[name, columns] : rows)
    if (name.rfind("_ZGTtNSt", 0) == 0 || name.rfind("_ZGTtNKSt", 0) == 0)
      CHECK(columns[7] == "embedded-stdlib");
  // The demangled column of every clone says what c++filt says.
  std::vector<std::string> clones;
  for (const auto &[name, columns] : rows)
    if (name.rfind("_ZGTt", 0) == 0 && name.find("Ss") == std::string::npos) // c++filt spells Ss out
      clones.push_back(name);
  REQUIRE(clones.size() >= 60);
  std::vector<std::string> shown = cxxfilt(clones);
  for (std::size_t i = 0; i < clones.size(); ++i)
    CHECK(rows[clones[i]][5] == shown[i]);
  CHECK(rows["_ZGTtN3lib6lengthERKSs"][5] == "transaction clone for lib::length(std::string const&)");
}
