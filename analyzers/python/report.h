// SPDX-License-Identifier: MIT
// How the python analyzer shows interpreters, runtimes, extension modules
// and bytecode files: their --json objects and their --explain lines.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/python/python.h"

namespace abitag::python {

struct Extension {
  std::string path;   // as reported
  std::string inside; // the file's own path inside the root (what --check judges)
  PythonElf elf;
  SuffixClaim claim;
};

struct Bytecode {
  std::string path;
  PycHeader header;
};

nlohmann::ordered_json interpreter_json(const Interpreter &interpreter);
nlohmann::ordered_json runtime_json(const PythonElf &runtime);
nlohmann::ordered_json extension_json(const Extension &extension);
nlohmann::ordered_json bytecode_json(const Bytecode &bytecode);

std::string explain_interpreter(const Interpreter &interpreter);
std::string explain_runtime(const PythonElf &runtime);
std::string explain_extension(const Extension &extension);
std::string explain_bytecode(const Bytecode &bytecode);

// The SOABI a runtime's ".cpython-*.so" suffix names, or empty.
std::string runtime_soabi(const PythonElf &runtime);

} // namespace abitag::python
