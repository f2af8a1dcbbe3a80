// SPDX-License-Identifier: MIT
// The text and header parsers of `abitag python` on arbitrary bytes: a
// sysconfigdata file, importlib's _bootstrap_external.py (its MAGIC_NUMBER
// line), a .pyc header, and the version a path's python folder claims.
#include "analyzers/python/python.h"
#include "analyzers/python/report.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view bytes = fuzz::bytes(data, size);
  llvm::Expected<python::SysconfigData> config = python::parse_sysconfigdata(bytes, fuzz::kInputPath);
  if (config) {
    python::Interpreter interpreter;
    interpreter.config = *config;
    interpreter.magic = python::parse_bootstrap_magic(bytes);
    fuzz::check_json_round_trip(python::interpreter_json(interpreter));
  } else {
    to_message(config.takeError());
  }
  llvm::Expected<python::PycHeader> header = python::read_pyc_header(bytes);
  if (header) {
    if (header->header_size > size)
      __builtin_trap(); // a header is only read whole
    fuzz::check_json_round_trip(python::bytecode_json({fuzz::name_from(data, size), *header}));
  } else {
    to_message(header.takeError());
  }
  std::string path(bytes.substr(0, 256));
  std::string version = python::versioned_folder(path);
  if (!version.empty() && python::versioned_folder_root(path).empty())
    __builtin_trap(); // a version comes with its folder
  return 0;
}
