// SPDX-License-Identifier: MIT
// CPython's ABI as its files show it: an interpreter's SOABI, the extension
// suffixes it accepts, the C API it exports and the bytecode magic it reads;
// an extension module's claimed ABI (its file name's suffix, PEP 3149), its
// PyInit_ export and the Py* symbols it imports; a .pyc file's header
// (PEP 552). The one header of the python analyzer for the rest of abitag.
//
// What makes an extension importable: CPython looks for NAME plus one of its
// suffixes (".cpython-311-x86_64-linux-gnu.so", ".abi3.so", ".so", in
// Python/dynload_shlib.c's table) in the folders on sys.path, dlopens the
// file with RTLD_NOW (so every imported Py* symbol must resolve against the
// interpreter) and calls PyInit_NAME. A file tagged for another SOABI is not
// even seen; a versioned folder (lib/python3.9/site-packages) is on the path
// of Python 3.9 only.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "fingerprint/analyzer.h"

namespace abitag::python {

// --- interpreters ----------------------------------------------------------

// What an interpreter's sysconfigdata file (_sysconfigdata_*.py beside its
// standard library, the build's recorded configuration that sysconfig
// reads) says; empty where it says nothing.
struct SysconfigData {
  std::string version;     // 'VERSION': "3.11"
  std::string soabi;       // 'SOABI': "cpython-311-x86_64-linux-gnu"
  std::string ext_suffix;  // 'EXT_SUFFIX': ".cpython-311-x86_64-linux-gnu.so"
  std::string abiflags;    // 'ABIFLAGS': "", "m", "d"
  std::string bindir;      // 'BINDIR': where python<VERSION> is
  std::string libdir;      // 'LIBDIR': where libpython is, for a shared build
  std::string instsoname;  // 'INSTSONAME': "libpython3.11.so.1.0"
};
// TEXT is the file; PATH names it in errors. A file without 'VERSION' and
// 'SOABI' is not a sysconfigdata file.
llvm::Expected<SysconfigData> parse_sysconfigdata(std::string_view text, const std::string &path);
// Whether NAME is a sysconfigdata file's name.
bool is_sysconfigdata_name(const std::string &name);
// Whether HEAD (a file's first bytes) is how sysconfig's generator starts one.
bool looks_like_sysconfigdata(std::string_view head);

// The magic number in importlib/_bootstrap_external.py:
// "MAGIC_NUMBER = (3495).to_bytes(2, 'little') + b'\r\n'" (3.4 to 3.13).
std::optional<std::uint16_t> parse_bootstrap_magic(std::string_view text);

// The facts one ELF file gives of CPython: as an interpreter binary or
// libpython (it exports the C API) and as an extension module.
struct PythonElf {
  std::string path;
  bool shared_object = false; // ET_DYN (a shared library, an extension, or a PIE program)
  bool runtime = false;       // exports Py_Initialize: the interpreter or libpython
  // The extension suffixes compiled into it (dynload_shlib.c's table, kept as
  // strings in .rodata): ".cpython-311-x86_64-linux-gnu.so", ".abi3.so".
  std::vector<std::string> suffixes;
  std::set<std::string> exports;       // defined Py*/_Py* symbols
  std::vector<std::string> init_exports; // PyInit_* it defines
  std::vector<std::string> imports;    // undefined Py*/_Py* symbols, sorted
};
// Reads BUFFER (PATH names it in errors); damage is an error.
llvm::Expected<PythonElf> read_python_elf(const llvm::MemoryBuffer &buffer, const std::string &path);

// One installed interpreter.
struct Interpreter {
  std::string stdlib;     // its standard library folder, inside the root: "/usr/lib/python3.11"
  std::string sysconfigdata; // the file read, inside the root
  SysconfigData config;
  std::string binary;     // BINDIR/python<VERSION> inside the root; empty when missing
  std::string library;    // libpython read for the exports (a shared build), or empty
  std::vector<std::string> suffixes; // what the binary (or libpython) accepts, its own order
  bool abi3 = false;      // ".abi3.so" among them
  std::set<std::string> exports;
  std::optional<std::uint16_t> magic; // _bootstrap_external.py's, else a stdlib pyc's
  std::string problem;    // why it cannot import anything (no binary...), or empty

  std::string tag() const { return config.soabi; }
};

// Reads the interpreter whose sysconfigdata file is SYSCONFIGDATA (a host
// path) inside ROOT (a canonical host path).
llvm::Expected<Interpreter> read_interpreter(const std::string &root, const std::string &sysconfigdata);

// Every interpreter installed in ROOT: each lib/pythonX.Y of /usr, /usr/local
// and /usr/lib64 holding a sysconfigdata file, once each (a merged /usr's
// /lib is /usr/lib). Unreadable ones go to ERRORS.
std::vector<Interpreter> installed_interpreters(const std::string &root, std::vector<InputError> &errors);

// The version a folder of the path claims: "3.9" for .../lib/python3.9/...
// (a versioned site folder, on the path of that version only), empty for
// Debian's shared /usr/lib/python3/dist-packages and anything else.
std::string versioned_folder(const std::string &path);
// The "lib/pythonX.Y" folder of PATH (its prefix up to that component), or empty.
std::string versioned_folder_root(const std::string &path);

// "magic 3495 (Python 3.11)" for a release's final magic, else "magic N".
std::string magic_name(std::uint16_t magic);

// --- extension modules ------------------------------------------------------

// The ABI a file name's suffix claims.
struct SuffixClaim {
  enum Kind { Tagged, Abi3, Untagged } kind = Untagged;
  std::string module; // the name before the first '.': what PyInit_ is formed from
  std::string soabi;  // Tagged: "cpython-311-x86_64-linux-gnu"
  std::string suffix; // ".cpython-311-x86_64-linux-gnu.so", ".abi3.so", ".so"
  std::string text() const; // the SOABI, "abi3" or "untagged"
};
// NAME is a file name; nullopt when it does not end in ".so".
std::optional<SuffixClaim> suffix_claim(const std::string &name);

// --- bytecode -----------------------------------------------------------------

struct PycHeader {
  std::uint16_t magic = 0;
  std::uint32_t flags = 0;      // 3.7+: bit 0 hash-based, bit 1 check the source
  std::size_t header_size = 0;  // 16 (3.7+), 12 (3.3-3.6), 8 (older)
};
// The header of a .pyc; a file shorter than the header its magic calls for
// is an error.
llvm::Expected<PycHeader> read_pyc_header(std::string_view bytes);
// Whether HEAD can start a .pyc: a two-byte magic then "\r\n".
bool looks_like_pyc(std::string_view head);

// --- --check ------------------------------------------------------------------

// Why no installed interpreter imports an extension; empty when one does.
struct ImportVerdict {
  std::vector<const Interpreter *> importers; // those that import it
  std::string problem; // one sentence when none does
};
// Whether an interpreter of INTERPRETERS imports EXTENSION, a file at PATH
// inside the root: the folder's version, the suffix, PyInit_ and the imports.
ImportVerdict check_extension(const PythonElf &extension, const std::string &path,
                              const std::vector<Interpreter> &interpreters);

// Adds the python analyzer: interpreters, extension modules, bytecode, --check.
void register_analyzer(Registry &registry);

} // namespace abitag::python
