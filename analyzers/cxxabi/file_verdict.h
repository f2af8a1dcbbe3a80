// SPDX-License-Identifier: MIT
// From the classified symbols of one file to its verdict, following the
// aggregation of shared/research/cxxabi.md §6: the library's own interface
// decides; weak std template instances decide only when the interface shows
// nothing; a statically embedded standard library is reported and left out;
// undefined references tell which ABI the code was compiled with.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/cxxabi/name_classifier.h"
#include "elf/symbol_reader.h"

namespace abitag::cxxabi {

enum class Scope { Interface, StdInstance, EmbeddedStdlib, Undefined, Local };
const char *scope_name(Scope scope);

// The symbols of a file with the class of each name.
struct ClassifiedFile {
  elf::SymbolFile file;
  std::vector<std::vector<NameClass>> classes; // [object][symbol]
  bool embeds_stdlib = false;
};

// DETAIL: Detail::Families for a verdict (judge_file), Full for every name's scope.
ClassifiedFile classify_file(elf::SymbolFile file, NameClassifier &classifier, Detail detail);

Scope scope_of(const elf::Symbol &symbol, const NameClass &name_class, bool embeds_stdlib);

struct EvidenceSymbol {
  std::string member; // empty outside archives
  std::string name;
  std::string families; // family_string()
  Scope scope;
};

struct FileVerdict {
  std::string path;
  std::string verdict;           // new-dual-abi, old-dual-abi, mixed, libc++, internal-only, no-std-in-interface
  std::vector<std::string> flags;
  std::uint8_t tag_families = 0; // what the file adds to the tag (0: nothing)
  std::map<std::string, std::size_t> counts; // "interface/new" -> n
  std::vector<EvidenceSymbol> evidence;      // a few per scope and family
  std::vector<std::string> compilers;        // .comment strings
  // Why the symbols were read through the dynamic segment (no usable
  // section headers); empty when they were read through the section headers.
  std::string read_through_loader;
  std::size_t objects = 0;
  std::size_t symbols = 0;
};

FileVerdict judge_file(const std::string &path, const ClassifiedFile &file);

// What `abitag cxxabi --json` prints of one file.
nlohmann::ordered_json file_json(const FileVerdict &v);

} // namespace abitag::cxxabi
