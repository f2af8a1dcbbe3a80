// SPDX-License-Identifier: MIT
// Whether a unit's imports agree with what is installed, as the compiler
// decides it (typing/persistent_env.ml for interfaces, asmcomp/asmlink.ml
// for implementations; Dynlink the same at run time): every unit of one
// name must carry one digest. An interface of that name installed with the
// digest the unit recorded is consistent; any other digest is not. Several
// installed files of one name (two library folders) pass when one agrees:
// the include path picks among them.
#include "analyzers/ocaml/ocaml.h"

namespace abitag::ocaml {
namespace {

const InstalledUnit *find(const Import &import, const std::map<std::string, std::vector<InstalledUnit>> &units) {
  auto found = units.find(import.name);
  if (found == units.end() || found->second.empty())
    return nullptr;
  for (const InstalledUnit &unit : found->second)
    if (unit.crc == import.crc)
      return &unit;
  return &found->second.front();
}

void check_imports(const CompilationUnit &unit, const std::vector<Import> &imports, bool implementation,
                   const std::map<std::string, std::vector<InstalledUnit>> &installed,
                   std::vector<Inconsistency> &out) {
  for (const Import &import : imports) {
    if (import.crc.empty())
      continue; // an alias-only import: the compiler checks nothing
    const InstalledUnit *provider = find(import, installed);
    if (provider && provider->crc != import.crc)
      out.push_back({unit.name, import.name, implementation, import.crc, provider->crc, provider->path});
  }
}

} // namespace

const InstalledUnit *provider(const Import &import, const Installed &installed) {
  return find(import, installed.interfaces);
}

std::string Inconsistency::message() const {
  return "unit " + unit + " makes inconsistent assumptions over " + (implementation ? "implementation " : "interface ") +
         name + ": it was compiled against " + imported_crc + ", the installed " + installed_path + " is " +
         installed_crc + (implementation ? " (native code only)" : "");
}

std::vector<Inconsistency> check_file(const OcamlFile &file, const Installed &installed) {
  std::vector<Inconsistency> out;
  for (const CompilationUnit &unit : file.units) {
    if (!unit.interface_crc.empty() && file.kind != FileKind::Cmi) // a .cmo or .cmx with another .cmi installed
      check_imports(unit, {{unit.name, unit.interface_crc}}, false, installed.interfaces, out);
    check_imports(unit, unit.interfaces, false, installed.interfaces, out);
    check_imports(unit, unit.implementations, true, installed.implementations, out);
  }
  return out;
}

} // namespace abitag::ocaml
