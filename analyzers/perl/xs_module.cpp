// SPDX-License-Identifier: MIT
// Reading perl's ELF files: an XS module's boot_ functions, its Perl_*/PL_*
// imports, the API version string and handshake key it passes; a perl
// program's or libperl's exports.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "analyzers/perl/perl.h"
#include "elf/dynamic_names.h"
#include "elf/dynamic_segment.h"
#include "elf/elf_file.h"
#include "elf/function_code.h"
#include "elf/symbol_reader.h"
#include "fingerprint/errors.h"

namespace abitag::perl {
namespace {

bool is_perl_api_name(llvm::StringRef name) { return name.startswith("Perl_") || name.startswith("PL_"); }


// "v5.36.0": 'v', then three dot-separated numbers, the form of
// "v" PERL_API_VERSION_STRING.
bool is_api_string(llvm::StringRef text) {
  if (text.size() < 6 || text.size() > 14 || text[0] != 'v')
    return false;
  int dots = 0;
  bool digit = false;
  for (char c : text.drop_front(1)) {
    if (c == '.') {
      if (!digit)
        return false;
      ++dots;
      digit = false;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else {
      return false;
    }
  }
  return dots == 2 && digit && text.startswith("v5.");
}

// The API strings among BYTES' NUL-terminated strings: the compiler keeps
// "v5.36.0" as a C string in .rodata, passed by address (no relocation).
std::vector<std::string> api_strings(llvm::StringRef bytes) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    // memmem: a byte search fast enough for every module of a system.
    const void *hit = ::memmem(bytes.data() + at, bytes.size() - at, "\0v5.", 4);
    if (!hit)
      break;
    at = static_cast<const char *>(hit) - bytes.data();
    std::size_t end = bytes.find('\0', at + 1);
    if (end == llvm::StringRef::npos)
      break;
    llvm::StringRef text = bytes.slice(at + 1, end);
    if (is_api_string(text) && std::find(out.begin(), out.end(), text.str()) == out.end())
      out.push_back(text.str());
  }
  return out;
}

// The key in x86-64 CODE: `bf imm32` (mov $KEY,%edi, the first argument)
// followed within 32 bytes by a call (e8). The key's low 5 bits are the
// length of the API string it is passed with (util.h HS_KEYp), which must
// agree with the string the file holds; an interpreter size (bits 31..16)
// of 0 is no key.
std::optional<std::uint32_t> handshake_key(llvm::StringRef code, std::size_t api_length) {
  for (std::size_t at = 0; at + 5 <= code.size(); ++at) {
    if (std::uint8_t(code[at]) != 0xbf)
      continue;
    std::uint32_t key = 0;
    for (int i = 0; i < 4; ++i)
      key |= std::uint32_t(std::uint8_t(code[at + 1 + i])) << (8 * i);
    if ((key >> 16) == 0 || (key & 0x1f) != api_length)
      continue;
    llvm::StringRef after = code.substr(at + 5, 32);
    if (after.find('\xe8') != llvm::StringRef::npos)
      return key;
  }
  return std::nullopt;
}

// The boot_ function perl calls for the module at PATH: the one of its
// package, else the only one.
std::string main_boot(const PerlElf &elf, const std::string &path) {
  std::string wanted = boot_symbol(module_package(path));
  if (std::find(elf.boots.begin(), elf.boots.end(), wanted) != elf.boots.end())
    return wanted;
  return elf.boots.size() == 1 ? elf.boots.front() : std::string();
}

// The key boot_ passes, when a boot_ function and one API string tell it.
std::optional<std::uint32_t> read_key(llvm::StringRef bytes, const PerlElf &elf, const std::string &path,
                                      llvm::Error &error) {
  std::string boot = main_boot(elf, path);
  if (!elf.imports_handshake || boot.empty() || elf.api_strings.size() > 1)
    return std::nullopt;
  llvm::Expected<std::optional<elf::FunctionCode>> code = elf::dynamic_function_code(bytes, boot);
  if (!code) {
    error = make_error(path + ": " + to_message(code.takeError()));
    return std::nullopt;
  }
  if (!*code || (*code)->machine != llvm::ELF::EM_X86_64)
    return std::nullopt;
  std::size_t length = elf.api_strings.empty() ? 0 : elf.api_strings.front().size();
  std::optional<std::uint32_t> key = handshake_key((*code)->bytes, length);
  if (!key && length == 0)
    return std::nullopt;
  // Debian's re.so passes HSf_NOCHK with no API string: length 0 then.
  return key ? key : handshake_key((*code)->bytes, 0);
}

// A runtime's DT_NEEDED libperl entries, read as the loader reads them.
std::vector<std::string> needed_libperl(llvm::StringRef bytes) {
  std::vector<std::string> out;
  llvm::Expected<elf::DynamicNames> names = elf::with_elf_file(bytes, [](const auto &file) -> llvm::Expected<elf::DynamicNames> {
    llvm::Expected<elf::LoaderView> view = elf::read_loader_view(file);
    if (!view)
      return view.takeError();
    return elf::read_dynamic_names(*view);
  });
  if (!names) {
    llvm::consumeError(names.takeError()); // a static program needs nothing
    return out;
  }
  for (const std::string &needed : names->needed)
    if (needed.compare(0, 7, "libperl") == 0)
      out.push_back(needed);
  return out;
}

} // namespace

llvm::Expected<PerlElf> read_perl_elf(llvm::MemoryBufferRef buffer, const std::string &path) {
  llvm::Expected<elf::SymbolFile> read = elf::read_object_symbols(buffer, path);
  if (!read)
    return read.takeError();
  PerlElf out;
  out.path = path;
  llvm::StringRef bytes = buffer.getBuffer();
  out.shared_object = elf::is_shared_object(bytes);
  std::set<std::string> imports;
  for (const elf::Symbol &symbol : read->objects.front().symbols) {
    if (symbol.local)
      continue;
    if (symbol.undefined) {
      if (symbol.name == "Perl_xs_handshake")
        out.imports_handshake = true;
      if (is_perl_api_name(symbol.name) && !symbol.weak) // a missing weak one stays null
        imports.insert(symbol.name.str());
    } else if (symbol.name.startswith("boot_") && symbol.type == 'T') {
      out.boots.push_back(symbol.name.str());
    } else if (is_perl_api_name(symbol.name) || symbol.name == "perl_construct") {
      out.exports.insert(symbol.name.str());
    }
  }
  out.imports.assign(imports.begin(), imports.end());
  out.runtime = out.exports.count("perl_construct") > 0;
  if (out.runtime) {
    out.needed = needed_libperl(bytes);
    return out;
  }
  out.exports.clear(); // only a runtime's exports matter
  out.api_strings = api_strings(bytes);
  llvm::Error error = llvm::Error::success();
  out.key = read_key(bytes, out, path, error);
  if (error)
    return error;
  return out;
}

std::string module_package(const std::string &path) {
  std::size_t auto_at = path.rfind("/auto/");
  std::size_t slash = path.rfind('/');
  if (auto_at == std::string::npos || slash <= auto_at + 5)
    return {};
  std::string folder = path.substr(auto_at + 6, slash - auto_at - 6); // "Foo/Bar"
  std::string file = path.substr(slash + 1);                           // "Bar.so"
  std::string last = folder.substr(folder.rfind('/') + 1);
  if (file != last + ".so")
    return {};
  std::string out;
  for (char c : folder)
    out += c == '/' ? std::string("::") : std::string(1, c);
  return out;
}

std::string module_inc_folder(const std::string &path) {
  std::size_t auto_at = path.rfind("/auto/");
  return auto_at == std::string::npos ? std::string() : path.substr(0, auto_at);
}

std::string folder_version(const std::string &path) {
  std::string out;
  std::size_t at = 0;
  while (at < path.size()) {
    std::size_t end = path.find('/', at);
    if (end == std::string::npos)
      end = path.size();
    std::string part = path.substr(at, end - at);
    int dots = 0;
    bool version = part.size() >= 3 && part[0] == '5' && part[1] == '.';
    for (char c : part)
      version &= std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && ++dots <= 2);
    if (version && part.back() != '.')
      out = part; // the innermost
    at = end + 1;
  }
  return out;
}

std::string boot_symbol(const std::string &package) {
  std::string out = "boot_";
  for (char c : package)
    out += c == ':' ? '_' : c;
  return out;
}

std::string key_text(std::uint32_t key) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%x", key);
  return text;
}

} // namespace abitag::perl
