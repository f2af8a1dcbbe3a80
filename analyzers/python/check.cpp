// SPDX-License-Identifier: MIT
// Whether an installed interpreter imports an extension module, decided in
// the order CPython decides it: the folder must be on its path, the file
// name must end in one of its suffixes, dlopen (RTLD_NOW) must resolve every
// Py* symbol the file imports from what the interpreter exports, and the
// file must define PyInit_<module>.
#include <algorithm>

#include "analyzers/python/python.h"
#include "elf/symbol_reader.h"
#include "fingerprint/paths.h"

namespace abitag::python {
namespace {

std::string base_name(const std::string &path) { return path.substr(path.rfind('/') + 1); }

bool accepts(const Interpreter &interpreter, const SuffixClaim &claim) {
  if (claim.kind == SuffixClaim::Abi3)
    return interpreter.abi3;
  if (claim.kind == SuffixClaim::Untagged)
    return true;
  const std::vector<std::string> &s = interpreter.suffixes;
  return std::find(s.begin(), s.end(), claim.suffix) != s.end();
}

std::string listed(const std::vector<const Interpreter *> &interpreters) {
  std::string out;
  for (const Interpreter *i : interpreters)
    out += (out.empty() ? "" : ", ") + i->tag();
  return out.empty() ? "none" : out;
}

} // namespace

ImportVerdict check_extension(const PythonElf &extension, const std::string &path,
                              const std::vector<Interpreter> &interpreters) {
  ImportVerdict out;
  std::optional<SuffixClaim> claim = suffix_claim(base_name(path));
  if (!claim) {
    out.problem = "its name does not end in .so: no interpreter imports it";
    return out;
  }
  std::vector<const Interpreter *> on_path; // interpreters whose path holds the folder
  std::string version = versioned_folder(path);
  for (const Interpreter &interpreter : interpreters)
    if (interpreter.problem.empty() && (version.empty() || interpreter.config.version == version))
      on_path.push_back(&interpreter);
  if (on_path.empty()) {
    out.problem = version.empty() ? "no interpreter is installed"
                                  : "it is in " + versioned_folder_root(path) + ", the folder of Python " + version +
                                        ", which is not installed";
    return out;
  }
  std::vector<const Interpreter *> accepting;
  for (const Interpreter *interpreter : on_path)
    if (accepts(*interpreter, *claim))
      accepting.push_back(interpreter);
  if (accepting.empty()) {
    out.problem = "no installed interpreter accepts its suffix " + claim->suffix + " (installed: " + listed(on_path) + ")";
    return out;
  }
  std::string init = "PyInit_" + claim->module;
  const std::vector<std::string> &inits = extension.init_exports;
  if (std::find(inits.begin(), inits.end(), init) == inits.end()) {
    out.problem = "it defines no " + init + ", the function Python calls to import it";
    return out;
  }
  std::string first_missing;
  for (const Interpreter *interpreter : accepting) {
    std::string missing = elf::unmet_imports(extension.imports, interpreter->exports);
    if (missing.empty())
      out.importers.push_back(interpreter);
    else if (first_missing.empty())
      first_missing = "it imports " + missing + ", which " +
                      (interpreter->library.empty() ? interpreter->binary : interpreter->library) + " (" +
                      interpreter->tag() + ") does not export";
  }
  if (out.importers.empty())
    out.problem = first_missing;
  return out;
}

} // namespace abitag::python
