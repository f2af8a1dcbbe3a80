// SPDX-License-Identifier: MIT
// Installed interpreters, read from their files: the sysconfigdata file says
// VERSION, SOABI, EXT_SUFFIX and where the binary and libpython are; the
// binary (or, for a build whose binary only links libpython, libpython)
// gives the exported C API and the suffixes it really accepts;
// importlib/_bootstrap_external.py gives the bytecode magic.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sys/stat.h>

#include "analyzers/python/python.h"
#include "fingerprint/discover.h"
#include "fingerprint/errors.h"
#include "fingerprint/folders.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/paths.h"

namespace abitag::python {
namespace {

// The value of 'KEY': in the generated dict: a quoted string or a number.
std::optional<std::string> config_value(std::string_view text, std::string_view key) {
  std::string needle = "'" + std::string(key) + "': ";
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) {
    if (at == 0 || (text[at - 1] != ' ' && text[at - 1] != '{' && text[at - 1] != '\n'))
      continue; // inside another value
    std::size_t begin = at + needle.size();
    if (begin < text.size() && text[begin] == '\'') {
      std::size_t end = text.find('\'', begin + 1);
      if (end == std::string_view::npos)
        return std::nullopt;
      return std::string(text.substr(begin + 1, end - begin - 1));
    }
    std::size_t end = text.find_first_of(",}\n", begin);
    return std::string(text.substr(begin, end == std::string_view::npos ? end : end - begin));
  }
  return std::nullopt;
}

// The bytes of the file at PATH (a host path), or an error naming it.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> whole_file(const std::string &path) {
  return map_file(path);
}

// A regular file, not a link to one: Debian's second sysconfigdata name is a
// link to the first, and the file is read once.
bool regular_file(const std::string &path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The magic of a .pyc the interpreter wrote for its own standard library
// (__pycache__/*.cpython-311.pyc), for a stdlib whose _bootstrap_external.py
// computes MAGIC_NUMBER another way.
std::optional<std::uint16_t> stdlib_pyc_magic(const std::string &stdlib_host, const std::string &cache_tag) {
  std::string cache = join_path(stdlib_host, "__pycache__");
  for (const std::string &name : folder_names(cache)) {
    if (name.find("." + cache_tag + ".pyc") == std::string::npos)
      continue;
    llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = whole_file(join_path(cache, name));
    if (!bytes) {
      llvm::consumeError(bytes.takeError());
      continue;
    }
    llvm::Expected<PycHeader> header = read_pyc_header((*bytes)->getBuffer());
    if (header)
      return header->magic;
    llvm::consumeError(header.takeError());
  }
  return std::nullopt;
}

// Reads the file at INSIDE (a path inside ROOT) as the interpreter's runtime.
llvm::Expected<PythonElf> read_runtime(const std::string &root, const std::string &inside) {
  llvm::Expected<std::string> host = resolve_under_root(root, inside);
  if (!host)
    return host.takeError();
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = whole_file(*host);
  if (!bytes)
    return bytes.takeError();
  return read_python_elf(**bytes, inside);
}

// The C API and suffixes: the binary's when it exports Py_Initialize (as
// Debian's python3.11 does, linked with libpython statically), else those
// of libpython in LIBDIR (a --enable-shared build such as pyenv's).
void read_exports(const std::string &root, Interpreter &out) {
  const SysconfigData &config = out.config;
  std::string binary = join_path(config.bindir, "python" + config.version);
  llvm::Expected<PythonElf> elf = read_runtime(root, binary);
  if (!elf) {
    out.problem = "its program " + binary + " cannot be read: " + to_message(elf.takeError());
    return;
  }
  out.binary = binary;
  if (!elf->runtime && !config.instsoname.empty()) {
    std::string library = join_path(config.libdir, config.instsoname);
    llvm::Expected<PythonElf> shared = read_runtime(root, library);
    if (!shared) {
      out.problem = "its library " + library + " cannot be read: " + to_message(shared.takeError());
      return;
    }
    out.library = library;
    elf = std::move(shared);
  }
  if (!elf->runtime) {
    out.problem = binary + " exports no Py_Initialize";
    return;
  }
  out.exports = std::move(elf->exports);
  out.suffixes = std::move(elf->suffixes);
  out.suffixes.push_back(".so"); // the table's last entry, too short to find among the file's strings
  out.abi3 = std::find(out.suffixes.begin(), out.suffixes.end(), ".abi3.so") != out.suffixes.end();
}

} // namespace

// "_sysconfigdata__x86_64-linux-gnu.py", "_sysconfigdata_m_linux_x86_64-linux-gnu.py" (3.6, ABIFLAGS m).
bool is_sysconfigdata_name(const std::string &name) {
  return name.compare(0, 15, "_sysconfigdata_") == 0 && name.size() > 18 && name.compare(name.size() - 3, 3, ".py") == 0;
}

bool looks_like_sysconfigdata(std::string_view head) {
  return head.substr(0, 30) == "# system configuration generat";
}

llvm::Expected<SysconfigData> parse_sysconfigdata(std::string_view text, const std::string &path) {
  SysconfigData out;
  std::pair<const char *, std::string *> wanted[] = {
      {"VERSION", &out.version}, {"SOABI", &out.soabi},   {"EXT_SUFFIX", &out.ext_suffix},
      {"ABIFLAGS", &out.abiflags}, {"BINDIR", &out.bindir}, {"LIBDIR", &out.libdir},
      {"INSTSONAME", &out.instsoname}};
  for (auto &[key, value] : wanted)
    if (std::optional<std::string> found = config_value(text, key))
      *value = std::move(*found);
  if (out.version.empty() || out.soabi.empty())
    return make_error(path + " has no 'VERSION' and 'SOABI': not a sysconfigdata file of Python 3");
  return out;
}

std::optional<std::uint16_t> parse_bootstrap_magic(std::string_view text) {
  constexpr std::string_view kLine = "\nMAGIC_NUMBER = (";
  std::size_t at = text.find(kLine);
  if (at == std::string_view::npos)
    return std::nullopt;
  std::uint32_t value = 0;
  std::size_t i = at + kLine.size(), digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 6; ++i, ++digits)
    value = value * 10 + (text[i] - '0');
  if (digits == 0 || i >= text.size() || text[i] != ')' || value > 0xffff)
    return std::nullopt;
  return std::uint16_t(value);
}

llvm::Expected<Interpreter> read_interpreter(const std::string &root, const std::string &sysconfigdata) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> text = whole_file(sysconfigdata);
  if (!text)
    return text.takeError();
  std::string inside = path_inside_root(root, sysconfigdata);
  llvm::Expected<SysconfigData> config = parse_sysconfigdata((*text)->getBuffer(), inside);
  if (!config)
    return config.takeError();
  Interpreter out;
  out.sysconfigdata = inside;
  out.stdlib = parent_dir(inside);
  out.config = std::move(*config);
  read_exports(root, out);
  std::string stdlib_host = parent_dir(sysconfigdata);
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bootstrap =
      whole_file(join_path(stdlib_host, "importlib/_bootstrap_external.py"));
  if (bootstrap)
    out.magic = parse_bootstrap_magic((*bootstrap)->getBuffer());
  else
    llvm::consumeError(bootstrap.takeError());
  if (!out.magic) {
    std::string tag = out.config.soabi.substr(0, out.config.soabi.find('-', 8)); // "cpython-311"
    out.magic = stdlib_pyc_magic(stdlib_host, tag);
  }
  return out;
}

std::vector<Interpreter> installed_interpreters(const std::string &root, std::vector<InputError> &errors) {
  std::vector<Interpreter> out;
  std::set<std::string> seen; // canonical host paths of the sysconfigdata files
  for (const char *base : {"/usr/lib", "/usr/local/lib", "/usr/lib64", "/lib", "/lib64"}) {
    llvm::Expected<std::string> host = resolve_under_root(root, base);
    if (!host) {
      llvm::consumeError(host.takeError());
      continue;
    }
    for (const std::string &name : folder_names(*host)) {
      if (versioned_folder("/" + name + "/").empty())
        continue;
      std::string stdlib = join_path(*host, name);
      for (const std::string &file : folder_names(stdlib)) {
        std::string path = join_path(stdlib, file);
        char resolved[PATH_MAX];
        if (!is_sysconfigdata_name(file) || !regular_file(path) || !::realpath(path.c_str(), resolved) ||
            !seen.insert(resolved).second)
          continue;
        llvm::Expected<Interpreter> read = read_interpreter(root, path);
        if (read)
          out.push_back(std::move(*read));
        else
          errors.push_back({path, to_message(read.takeError())});
        break; // one per stdlib
      }
    }
  }
  return out;
}

std::string versioned_folder_root(const std::string &path) {
  for (std::size_t at = path.find("/python"); at != std::string::npos; at = path.find("/python", at + 1)) {
    std::size_t begin = at + 7, i = begin;
    while (i < path.size() && std::isdigit(static_cast<unsigned char>(path[i])))
      ++i;
    if (i == begin || i >= path.size() || path[i] != '.')
      continue;
    std::size_t minor = ++i;
    while (i < path.size() && std::isdigit(static_cast<unsigned char>(path[i])))
      ++i;
    if (i == minor || (i < path.size() && path[i] != '/' && path[i] != 't'))
      continue; // "python3.11t" is a free-threaded build's folder
    if (i < path.size() && path[i] == 't')
      ++i;
    if (i < path.size() && path[i] != '/')
      continue;
    return path.substr(0, i);
  }
  return {};
}

std::string versioned_folder(const std::string &path) {
  std::string folder = versioned_folder_root(path);
  if (folder.empty())
    return {};
  std::string version = folder.substr(folder.rfind("/python") + 7);
  if (!version.empty() && version.back() == 't')
    version.pop_back();
  return version;
}

std::string magic_name(std::uint16_t magic) {
  static const std::pair<std::uint16_t, const char *> kFinal[] = {
      {62211, "2.7"}, {3379, "3.6"}, {3394, "3.7"}, {3413, "3.8"}, {3425, "3.9"},
      {3439, "3.10"}, {3495, "3.11"}, {3531, "3.12"}, {3571, "3.13"}};
  for (const auto &[value, version] : kFinal)
    if (value == magic)
      return "magic " + std::to_string(magic) + " (Python " + version + ")";
  return "magic " + std::to_string(magic);
}

} // namespace abitag::python
