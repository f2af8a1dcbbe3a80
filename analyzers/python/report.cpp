// SPDX-License-Identifier: MIT
#include "analyzers/python/report.h"

namespace abitag::python {
namespace {

std::string joined(const std::vector<std::string> &items) {
  std::string out;
  for (const std::string &item : items)
    out += (out.empty() ? "" : " ") + item;
  return out;
}

nlohmann::ordered_json magic_json(const std::optional<std::uint16_t> &magic) {
  return magic ? nlohmann::ordered_json(*magic) : nlohmann::ordered_json(nullptr);
}

} // namespace

std::string runtime_soabi(const PythonElf &runtime) {
  for (const std::string &suffix : runtime.suffixes)
    if (suffix.compare(0, 9, ".cpython-") == 0)
      return suffix.substr(1, suffix.size() - 4);
  return {};
}

nlohmann::ordered_json interpreter_json(const Interpreter &i) {
  return {{"stdlib", i.stdlib},
          {"sysconfigdata", i.sysconfigdata},
          {"version", i.config.version},
          {"soabi", i.config.soabi},
          {"ext_suffix", i.config.ext_suffix},
          {"abiflags", i.config.abiflags},
          {"binary", i.binary},
          {"library", i.library},
          {"suffixes", i.suffixes},
          {"abi3", i.abi3},
          {"exports", i.exports.size()},
          {"magic", magic_json(i.magic)},
          {"problem", i.problem}};
}

nlohmann::ordered_json runtime_json(const PythonElf &r) {
  return {{"path", r.path}, {"soabi", runtime_soabi(r)}, {"suffixes", r.suffixes}, {"exports", r.exports.size()}};
}

nlohmann::ordered_json extension_json(const Extension &e) {
  return {{"path", e.path},
          {"module", e.claim.module},
          {"suffix", e.claim.suffix},
          {"abi", e.claim.text()},
          {"init", e.elf.init_exports},
          {"imports", e.elf.imports}};
}

nlohmann::ordered_json bytecode_json(const Bytecode &b) {
  return {{"path", b.path},
          {"magic", b.header.magic},
          {"python", magic_name(b.header.magic)},
          {"flags", b.header.flags},
          {"header_size", b.header.header_size}};
}

std::string explain_interpreter(const Interpreter &i) {
  std::string line = i.stdlib + ": Python " + i.config.version + ", SOABI " + i.config.soabi + " (" + i.sysconfigdata +
                     ")";
  if (!i.problem.empty())
    return line + "; " + i.problem;
  return line + "; " + (i.library.empty() ? i.binary : i.library) + " exports " + std::to_string(i.exports.size()) +
         " Py* symbols and accepts " + joined(i.suffixes) + "; bytecode " +
         (i.magic ? magic_name(*i.magic) : std::string("magic unknown"));
}

std::string explain_runtime(const PythonElf &r) {
  return r.path + ": a Python runtime (exports Py_Initialize and " + std::to_string(r.exports.size()) +
         " Py* symbols), accepts " + joined(r.suffixes);
}

std::string explain_extension(const Extension &e) {
  std::string init = e.elf.init_exports.empty() ? "defines no PyInit_" : "defines " + joined(e.elf.init_exports);
  return e.path + ": extension module " + e.claim.module + ", suffix " + e.claim.suffix + " claims " + e.claim.text() +
         "; " + init + ", imports " + std::to_string(e.elf.imports.size()) + " Py* symbols";
}

std::string explain_bytecode(const Bytecode &b) {
  return b.path + ": bytecode of " + magic_name(b.header.magic) +
         ((b.header.flags & 1) ? ", checked by the source's hash" : "");
}

} // namespace abitag::python
