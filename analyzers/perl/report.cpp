// SPDX-License-Identifier: MIT
#include "analyzers/perl/report.h"

namespace abitag::perl {
namespace {

nlohmann::ordered_json key_json(const std::optional<std::uint32_t> &key) {
  return key ? nlohmann::ordered_json(key_text(*key)) : nlohmann::ordered_json(nullptr);
}

} // namespace

std::string XsModule::built_for() const {
  if (elf.api_strings.size() == 1)
    return elf.api_strings.front();
  std::string version = folder_version(inside);
  return version.empty() ? std::string() : "v" + version;
}

std::string XsModule::evidence() const {
  if (elf.api_strings.size() == 1)
    return "file";
  return folder_version(inside).empty() ? "none" : "folder";
}

nlohmann::ordered_json perl_json(const Perl &p) {
  return {{"config", p.config_pm},
          {"version", p.config.version},
          {"archname", p.config.archname},
          {"api_version", p.api()},
          {"program", p.binary},
          {"exports_from", p.exports_from},
          {"exports", p.exports.size()},
          {"inc", p.inc},
          {"handshake_key", key_json(p.key)},
          {"handshake_key_from", p.key_from},
          {"tag", p.tag()},
          {"problem", p.problem}};
}

nlohmann::ordered_json module_json(const XsModule &m) {
  return {{"path", m.path},
          {"package", m.package},
          {"boot", m.elf.boots},
          {"api_strings", m.elf.api_strings},
          {"handshake_key", key_json(m.elf.key)},
          {"built_for", m.built_for()},
          {"evidence", m.evidence()},
          {"folder_version", folder_version(m.inside)},
          {"imports", m.elf.imports.size()}};
}

std::string explain_perl(const Perl &p) {
  std::string line = p.config_pm + ": perl " + p.config.version + ", archname " + p.config.archname +
                     ", API " + p.api();
  if (!p.problem.empty())
    return line + "; " + p.problem;
  line += "; " + p.exports_from + " exports " + std::to_string(p.exports.size()) + " Perl_*/PL_* symbols; " +
          std::to_string(p.inc.size()) + " @INC folders";
  return line + (p.key ? "; handshake key " + key_text(*p.key) + " (" + p.key_from + ")" : "; no handshake key known");
}

std::string explain_module(const XsModule &m) {
  std::string line = m.path + ": XS module" + (m.package.empty() ? "" : " " + m.package);
  std::string built = m.built_for();
  if (m.evidence() == "file")
    line += ", built for " + built + " (its API string)";
  else if (m.evidence() == "folder")
    line += ", built for " + built + " (its folder's name: the file carries no API string)";
  else
    line += ", built for an unknown perl (no API string, no version folder)";
  if (m.elf.key)
    line += ", handshake key " + key_text(*m.elf.key);
  return line + ", imports " + std::to_string(m.elf.imports.size()) + " Perl_*/PL_* symbols";
}

} // namespace abitag::perl
