// SPDX-License-Identifier: MIT
#include "analyzers/ocaml/report.h"

#include <set>

#include "fingerprint/hash.h"

namespace abitag::ocaml {
namespace {

nlohmann::ordered_json imports_json(const std::vector<Import> &imports) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Import &import : imports)
    out.push_back({{"name", import.name},
                   {"crc", import.crc.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(import.crc)}});
  return out;
}

nlohmann::ordered_json text_or_null(const std::string &text) {
  return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text);
}

std::string joined(const std::vector<std::string> &words) {
  std::string out;
  for (const std::string &word : words)
    out += (out.empty() ? "" : " ") + word;
  return out;
}

} // namespace

nlohmann::ordered_json file_json(const OcamlFile &file) {
  nlohmann::ordered_json units = nlohmann::ordered_json::array();
  for (const CompilationUnit &unit : file.units)
    units.push_back({{"name", unit.name},
                     {"interface", text_or_null(unit.interface_crc)},
                     {"implementation", text_or_null(unit.implementation_crc)},
                     {"imported_interfaces", imports_json(unit.interfaces)},
                     {"imported_implementations", imports_json(unit.implementations)}});
  return {{"path", file.path}, {"kind", kind_name(file.kind)}, {"magic", file.magic}, {"units", std::move(units)}};
}

nlohmann::ordered_json meta_json(const MetaPackage &package) {
  return {{"name", package.name}, {"path", package.path}, {"requires", package.required}};
}

nlohmann::ordered_json inconsistency_json(const Inconsistency &i) {
  return {{"unit", i.unit},
          {"over", i.implementation ? "implementation" : "interface"},
          {"name", i.name},
          {"imported", i.imported_crc},
          {"installed", i.installed_crc},
          {"installed_path", i.installed_path}};
}

std::string explain_file(const OcamlFile &file) {
  std::string out = file.path + ": " + kind_name(file.kind) + " " + file.magic + ",";
  for (const CompilationUnit &unit : file.units) {
    out += " " + unit.name + " (interface " + (unit.interface_crc.empty() ? "none" : unit.interface_crc);
    if (!unit.implementation_crc.empty())
      out += ", implementation " + unit.implementation_crc;
    out += ", imports " + std::to_string(unit.interfaces.size()) + " interfaces";
    if (!unit.implementations.empty())
      out += " and " + std::to_string(unit.implementations.size()) + " implementations";
    out += ")";
  }
  return out;
}

std::string explain_meta(const MetaPackage &package) {
  return package.path + ": findlib package " + package.name + ", requires " +
         (package.required.empty() ? std::string("nothing") : joined(package.required));
}

std::string interfaces_value(const std::vector<OcamlFile> &files) {
  std::set<std::string> lines;
  for (const OcamlFile &file : files)
    for (const CompilationUnit &unit : file.units)
      if (!unit.interface_crc.empty())
        lines.insert(unit.name + " " + unit.interface_crc + "\n");
  if (lines.empty())
    return "none";
  Digest digest(DigestKind::Sha256);
  for (const std::string &line : lines)
    digest.update(line);
  return digest.hex_digest().substr(0, 32);
}

} // namespace abitag::ocaml
