// SPDX-License-Identifier: MIT
// Reading CPython's files: ELF files (interpreter, libpython, extension
// modules), file name suffixes and .pyc headers.
#include <algorithm>
#include <cstring>

#include "analyzers/python/python.h"
#include "elf/elf_file.h"
#include "elf/symbol_reader.h"
#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"

namespace abitag::python {
namespace {

bool is_c_api_name(llvm::StringRef name) { return name.startswith("Py") || name.startswith("_Py"); }

// The extension suffixes compiled into a runtime: dynload_shlib.c keeps them
// as C strings in .rodata, so each is a NUL-terminated run of bytes. A whole
// file search finds them without knowing the section layout; only runtimes
// (files exporting Py_Initialize) are searched. It goes a window at a time,
// each dropped from memory once searched (done_reading): a runtime with its
// debugging symbols is tens of MiB, all of it counted in the process's
// memory once touched, until it is unmapped.
std::vector<std::string> compiled_suffixes(const llvm::MemoryBuffer &buffer) {
  constexpr std::size_t kWindow = 4 << 20;
  const llvm::StringRef prefixes[] = {".cpython-", ".abi3.so"};
  llvm::StringRef bytes = buffer.getBuffer();
  std::vector<std::string> found[2]; // per prefix, in file order
  for (std::size_t start = 0; start < bytes.size(); start += kWindow) {
    for (std::size_t p = 0; p < 2; ++p) {
      // The matches that start in this window (and may end past it).
      llvm::StringRef searched = bytes.substr(0, start + kWindow + prefixes[p].size() - 1);
      for (std::size_t at = searched.find(prefixes[p], start); at != llvm::StringRef::npos;
           at = searched.find(prefixes[p], at + 1)) {
        std::size_t end = bytes.find('\0', at);
        if (at == 0 || bytes[at - 1] != '\0' || end == llvm::StringRef::npos || end - at > 80)
          continue;
        std::string text = bytes.slice(at, end).str();
        if (llvm::StringRef(text).endswith(".so"))
          found[p].push_back(text);
      }
    }
    done_reading(buffer, bytes.data() + start, std::min(kWindow, bytes.size() - start));
  }
  std::vector<std::string> out;
  for (const std::vector<std::string> &texts : found)
    for (const std::string &text : texts)
      if (std::find(out.begin(), out.end(), text) == out.end())
        out.push_back(text);
  return out;
}

} // namespace

llvm::Expected<PythonElf> read_python_elf(const llvm::MemoryBuffer &buffer, const std::string &path) {
  llvm::Expected<elf::SymbolFile> read = elf::read_object_symbols(buffer.getMemBufferRef(), path);
  if (!read)
    return read.takeError();
  PythonElf out;
  out.path = path;
  out.shared_object = elf::is_shared_object(buffer.getBuffer());
  std::set<std::string> imports;
  for (const elf::Symbol &symbol : read->objects.front().symbols) {
    if (!is_c_api_name(symbol.name) || symbol.local)
      continue;
    if (symbol.undefined) {
      if (!symbol.weak) // the loader leaves a missing weak one null and loads the file
        imports.insert(symbol.name.str());
      continue;
    }
    out.exports.insert(symbol.name.str());
    if (symbol.name.startswith("PyInit_"))
      out.init_exports.push_back(symbol.name.str());
  }
  out.imports.assign(imports.begin(), imports.end());
  out.runtime = out.exports.count("Py_Initialize") > 0;
  if (out.runtime)
    out.suffixes = compiled_suffixes(buffer);
  else
    out.exports.clear(); // an extension's exports are its PyInit_ only; a runtime's matter
  return out;
}

std::string SuffixClaim::text() const {
  return kind == Tagged ? soabi : kind == Abi3 ? "abi3" : "untagged";
}

// "foo.cpython-311-x86_64-linux-gnu.so", "foo.abi3.so", "foo.so". The module
// name is what comes before the first dot (CPython forms the file name as
// NAME + suffix, so the rest must be a suffix).
std::optional<SuffixClaim> suffix_claim(const std::string &name) {
  llvm::StringRef text(name);
  if (!text.endswith(".so"))
    return std::nullopt;
  SuffixClaim claim;
  std::size_t dot = text.find('.');
  claim.module = text.substr(0, dot).str();
  claim.suffix = text.substr(dot).str();
  llvm::StringRef middle = text.substr(dot).drop_back(3); // ".cpython-311-x86_64-linux-gnu"
  if (middle.startswith(".cpython-") && middle.count('.') == 1) {
    claim.kind = SuffixClaim::Tagged;
    claim.soabi = middle.drop_front(1).str();
  } else if (middle == ".abi3") {
    claim.kind = SuffixClaim::Abi3;
  } else if (!middle.empty()) {
    return std::nullopt; // "libfoo.so.1"-like names never end in .so; "a.b.so" is no module name
  }
  return claim;
}

bool looks_like_pyc(std::string_view head) { return head.size() >= 4 && head[2] == '\r' && head[3] == '\n'; }

// PEP 552 (3.7, magic 3392 on) added the 4-byte flags word; PEP 3147's 3.3
// (magic 3210 on) added the source size after the mtime.
llvm::Expected<PycHeader> read_pyc_header(std::string_view bytes) {
  if (bytes.size() < 4)
    return make_error("not a .pyc file: " + std::to_string(bytes.size()) + " bytes, shorter than its magic number");
  if (!looks_like_pyc(bytes))
    return make_error("not a .pyc file: its magic number does not end in \\r\\n");
  PycHeader out;
  out.magic = std::uint8_t(bytes[0]) | std::uint8_t(bytes[1]) << 8;
  out.header_size = out.magic >= 3392 && out.magic < 20000 ? 16 : out.magic >= 3210 && out.magic < 20000 ? 12 : 8;
  if (bytes.size() < out.header_size)
    return make_error("truncated .pyc file: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                      std::to_string(out.header_size) + "-byte header of " + magic_name(out.magic));
  if (out.header_size == 16)
    for (int i = 0; i < 4; ++i)
      out.flags |= std::uint32_t(std::uint8_t(bytes[4 + i])) << (8 * i);
  return out;
}

} // namespace abitag::python
