// SPDX-License-Identifier: MIT
// The ELF path of `abitag python` on arbitrary bytes: the symbols of an
// interpreter, libpython or extension module (elf/symbol_reader.h), the
// suffixes compiled into a runtime, the file name's suffix claim (the
// name made of the input's bytes), --check against no interpreter and
// against the input itself as one, and the --json objects read back.
#include "analyzers/python/python.h"
#include "analyzers/python/report.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  auto buffer = fuzz::buffer(data, size);
  llvm::Expected<python::PythonElf> elf = python::read_python_elf(*buffer, fuzz::kInputPath);
  if (!elf) {
    to_message(elf.takeError()); // the line abitag would print
    return 0;
  }
  std::string name = fuzz::name_from(data, size);
  // A name with a dot of its own ("a.b.so") claims nothing: no module is named so.
  std::optional<python::SuffixClaim> claim = python::suffix_claim(name + ".so");
  if (!python::check_extension(*elf, "/x/" + name + ".so", {}).importers.empty())
    __builtin_trap(); // with no interpreter, nothing imports it
  python::Interpreter self;
  self.config.version = "3.11";
  self.config.soabi = python::runtime_soabi(*elf);
  self.exports = elf->exports;
  self.suffixes = elf->suffixes;
  python::check_extension(*elf, "/usr/lib/python3.11/" + name, {self});
  nlohmann::ordered_json shown = python::runtime_json(*elf);
  if (claim)
    shown["extension"] = python::extension_json({name, name, *elf, *claim});
  fuzz::check_json_round_trip(shown);
  return 0;
}
