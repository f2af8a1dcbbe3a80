// SPDX-License-Identifier: MIT
#include "analyzers/cxxabi/file_verdict.h"

#include <algorithm>
#include <array>

#include "analyzers/cxxabi/scan.h"
#include "elf/demangle.h"

namespace abitag::cxxabi {
namespace {

constexpr std::uint8_t kStringAbis = kOldAbi | kNewAbi | kLibcxx;
constexpr std::size_t kEvidencePerKind = 3;

// Symbols every libstdc++ or libc++/libc++abi build defines. A file that
// defines one of them (strongly) has a standard library linked into it.
bool is_runtime_anchor(llvm::StringRef name) {
  static constexpr std::array<llvm::StringLiteral, 6> anchors = {
      "_ZSt9terminatev",           "_ZNSt8ios_base4InitC1Ev", "_ZSt17__throw_bad_allocv",
      "_ZNSt9exceptionD2Ev",       "_ZNSt9bad_allocD1Ev",     "_ZSt15set_new_handlerPFvvE"};
  return std::find(anchors.begin(), anchors.end(), name) != anchors.end();
}

bool strong_definition(const elf::Symbol &s) { return !s.undefined && !s.weak && !s.local; }

// GCC 4.7.0 and 4.7.1 changed std::list and std::pair in C++11 mode under
// the same mangled names (reverted in 4.7.2).
bool is_gcc_47_broken(llvm::StringRef comment) {
  return comment.startswith("GCC:") && (comment.endswith(" 4.7.0") || comment.endswith(" 4.7.1") ||
                                        comment.contains(" 4.7.0 ") || comment.contains(" 4.7.1 "));
}

} // namespace

const char *scope_name(Scope scope) {
  switch (scope) {
  case Scope::Interface: return "interface";
  case Scope::StdInstance: return "std-instance";
  case Scope::EmbeddedStdlib: return "embedded-stdlib";
  case Scope::Undefined: return "undefined";
  case Scope::Local: return "local";
  }
  return "?";
}

ClassifiedFile classify_file(elf::SymbolFile file, NameClassifier &classifier, Detail detail) {
  ClassifiedFile out;
  bool anchor = false;
  out.classes.reserve(file.objects.size());
  for (const elf::ObjectSymbols &object : file.objects) {
    std::vector<NameClass> &classes = out.classes.emplace_back();
    classes.reserve(object.symbols.size());
    for (std::size_t i = 0; i < object.symbols.size(); ++i) {
      elf::prefetch_name_ahead(object.symbols, i);
      const elf::Symbol &symbol = object.symbols[i];
      NameClass c = classifier.classify(symbol.name, detail);
      // Only anchors count: ordinary libraries define std entities strongly
      // too (numeric_limits<UserType> members, typeinfo of std templates).
      // (By name: at Detail::Families an anchor is not parsed.) A strong
      // transaction clone of a std function is one too: only libstdc++
      // defines those (its cow-stdexcept.o, which devtoolset builds link in
      // from libstdc++_nonshared.a).
      if (strong_definition(symbol))
        anchor |= is_runtime_anchor(symbol.name) || (c.transaction_clone && c.std_scoped);
      classes.push_back(c);
    }
  }
  out.embeds_stdlib = anchor;
  out.file = std::move(file);
  return out;
}

Scope scope_of(const elf::Symbol &symbol, const NameClass &c, bool embeds_stdlib) {
  if (symbol.undefined)
    return Scope::Undefined;
  if (symbol.local)
    return Scope::Local;
  if (!c.std_scoped)
    return Scope::Interface;
  if (strong_definition(symbol) && embeds_stdlib)
    return Scope::EmbeddedStdlib;
  return Scope::StdInstance;
}

namespace {

// What judge_file gathers from a file's symbols before it decides.
struct SymbolTally {
  std::uint8_t by_scope[5] = {};
  // Counted by scope and family bit here, named in FileVerdict::counts at
  // the end: a key string and a map lookup for each of a file's symbols cost
  // more than the rest of the verdict.
  std::size_t counts[5][4] = {};
  bool gcc47_broken = false, list_defined = false, pair_defined = false, lto = false;
  std::size_t unparsed = 0;
};
constexpr std::uint8_t kTallyBits[] = {kOldAbi, kNewAbi, kLibcxx, kDialect};

void tally_symbol(const elf::ObjectSymbols &object, const elf::Symbol &symbol, const NameClass &c, bool embeds_stdlib,
                  SymbolTally &tally, FileVerdict &out) {
  ++out.symbols;
  tally.unparsed += c.itanium && !c.parsed && !c.std_free && !c.family_free;
  Scope scope = scope_of(symbol, c, embeds_stdlib);
  if (scope == Scope::Local || !c.families)
    return;
  tally.by_scope[static_cast<int>(scope)] |= c.families;
  if (!symbol.undefined && scope != Scope::EmbeddedStdlib) {
    tally.list_defined |= c.old_list_entity;
    tally.pair_defined |= c.pair_by_value;
  }
  for (std::size_t b = 0; b < 4; ++b) {
    if (!(c.families & kTallyBits[b]))
      continue;
    if (tally.counts[static_cast<int>(scope)][b]++ < kEvidencePerKind)
      out.evidence.push_back({object.member, symbol.name.str(), family_string(c.families), scope});
  }
}

SymbolTally tally_file(const ClassifiedFile &classified, FileVerdict &out) {
  SymbolTally tally;
  const elf::SymbolFile &file = classified.file;
  for (std::size_t o = 0; o < file.objects.size(); ++o) {
    const elf::ObjectSymbols &object = file.objects[o];
    tally.lto |= object.slim_lto;
    if (out.read_through_loader.empty())
      out.read_through_loader = object.read_through_loader;
    for (llvm::StringRef comment : object.compilers) {
      tally.gcc47_broken |= is_gcc_47_broken(comment);
      if (std::find(out.compilers.begin(), out.compilers.end(), comment.str()) == out.compilers.end())
        out.compilers.push_back(comment.str());
    }
    for (std::size_t i = 0; i < object.symbols.size(); ++i)
      tally_symbol(object, object.symbols[i], classified.classes[o][i], classified.embeds_stdlib, tally, out);
  }
  out.objects = file.objects.size();
  for (int scope = 0; scope < 5; ++scope)
    for (std::size_t b = 0; b < 4; ++b)
      if (tally.counts[scope][b])
        out.counts[std::string(scope_name(static_cast<Scope>(scope))) + "/" + family_string(kTallyBits[b])] =
            tally.counts[scope][b];
  return tally;
}

const char *verdict_of(std::uint8_t abis, std::uint8_t undefined) {
  if (family_count(abis) >= 2)
    return "mixed";
  if (abis == kOldAbi)
    return "old-dual-abi";
  if (abis == kNewAbi)
    return "new-dual-abi";
  if (abis == kLibcxx)
    return "libc++";
  if (undefined & kStringAbis)
    return "internal-only";
  return "no-std-in-interface";
}

} // namespace

FileVerdict judge_file(const std::string &path, const ClassifiedFile &classified) {
  FileVerdict out;
  out.path = path;
  SymbolTally tally = tally_file(classified, out);

  std::uint8_t interface = tally.by_scope[static_cast<int>(Scope::Interface)];
  std::uint8_t instances = tally.by_scope[static_cast<int>(Scope::StdInstance)];
  std::uint8_t undefined = tally.by_scope[static_cast<int>(Scope::Undefined)];
  std::uint8_t abis = interface & kStringAbis;
  if (!abis)
    abis = instances & kStringAbis;
  bool dialect = (interface | instances) & kDialect;
  bool gcc47_hazard = tally.gcc47_broken && (tally.list_defined || tally.pair_defined);
  out.verdict = verdict_of(abis, undefined);

  if (dialect || gcc47_hazard)
    out.flags.push_back("dialect-sensitive");
  if (gcc47_hazard)
    out.flags.push_back("gcc-4.7-list-pair");
  if (classified.embeds_stdlib)
    out.flags.push_back("embeds-stdlib");
  if (tally.lto)
    out.flags.push_back("lto");
  if (tally.unparsed)
    out.flags.push_back("unparsed-names");
  if (tally.unparsed)
    out.counts["unparsed"] = tally.unparsed;

  out.tag_families = abis | (dialect || gcc47_hazard ? kDialect : 0);
  return out;
}

nlohmann::ordered_json file_json(const FileVerdict &v) {
  nlohmann::ordered_json evidence = nlohmann::ordered_json::array();
  for (const EvidenceSymbol &e : v.evidence) {
    nlohmann::ordered_json item;
    if (!e.member.empty())
      item["member"] = e.member;
    item["mangled"] = e.name;
    item["demangled"] = elf::demangle(e.name);
    item["class"] = e.families;
    item["scope"] = scope_name(e.scope);
    evidence.push_back(std::move(item));
  }
  nlohmann::ordered_json out = {{"path", v.path},         {"verdict", v.verdict},   {"flags", v.flags},
                                {"objects", v.objects},   {"symbols", v.symbols},   {"counts", v.counts},
                                {"compilers", v.compilers}, {"evidence", std::move(evidence)}};
  out["symbols_from"] = v.read_through_loader.empty() ? "section-headers" : "dynamic-segment";
  if (!v.read_through_loader.empty())
    out["symbols_from_reason"] = v.read_through_loader;
  return out;
}

} // namespace abitag::cxxabi
