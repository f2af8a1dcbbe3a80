// SPDX-License-Identifier: MIT
#include "audit/search_paths.h"

#include <algorithm>

#include <llvm/BinaryFormat/ELF.h>

#include "fingerprint/ld_so_conf.h"
#include "fingerprint/paths.h"

namespace abitag::audit {
const char *standard_interpreter(std::uint16_t machine, std::uint8_t elf_class) {
  bool is64 = elf_class == llvm::ELF::ELFCLASS64;
  switch (machine) {
  case llvm::ELF::EM_X86_64: return is64 ? "/lib64/ld-linux-x86-64.so.2" : "/libx32/ld-linux-x32.so.2";
  case llvm::ELF::EM_386: return "/lib/ld-linux.so.2";
  case llvm::ELF::EM_AARCH64: return "/lib/ld-linux-aarch64.so.1";
  case llvm::ELF::EM_ARM: return "/lib/ld-linux-armhf.so.3";
  case llvm::ELF::EM_S390: return is64 ? "/lib/ld64.so.1" : "/lib/ld.so.1";
  case llvm::ELF::EM_PPC64: return "/lib64/ld64.so.2";
  case llvm::ELF::EM_RISCV: return "/lib/ld-linux-riscv64-lp64d.so.1";
  default: return nullptr;
  }
}

MuslLoader musl_interpreter(std::uint16_t machine, std::uint8_t elf_class) {
  bool is64 = elf_class == llvm::ELF::ELFCLASS64;
  switch (machine) {
  case llvm::ELF::EM_X86_64:
    return is64 ? MuslLoader{"/lib/ld-musl-x86_64.so.1", "x86_64-linux-musl"} : MuslLoader{};
  case llvm::ELF::EM_386: return {"/lib/ld-musl-i386.so.1", "i386-linux-musl"};
  case llvm::ELF::EM_AARCH64: return {"/lib/ld-musl-aarch64.so.1", "aarch64-linux-musl"};
  case llvm::ELF::EM_ARM: return {"/lib/ld-musl-armhf.so.1", "arm-linux-musleabihf"};
  case llvm::ELF::EM_S390: return is64 ? MuslLoader{"/lib/ld-musl-s390x.so.1", "s390x-linux-musl"} : MuslLoader{};
  case llvm::ELF::EM_RISCV: return is64 ? MuslLoader{"/lib/ld-musl-riscv64.so.1", "riscv64-linux-musl"} : MuslLoader{};
  default: return {};
  }
}

bool musl_reserved_name(const std::string &needed) {
  if (needed.compare(0, 3, "lib") != 0)
    return false;
  for (const char *reserved : {"c.", "pthread.", "rt.", "m.", "dl.", "util.", "xnet."})
    if (needed.compare(3, std::char_traits<char>::length(reserved), reserved) == 0)
      return true;
  return false;
}

std::string expand_search_entry(const std::string &entry, const std::string &origin,
                                std::uint16_t machine, std::uint8_t elf_class) {
  const char *tuple = multiarch_tuple(machine, elf_class);
  std::string lib = tuple ? std::string("lib/") + tuple : "lib";
  std::string platform = machine == llvm::ELF::EM_386 ? "i686" : machine == llvm::ELF::EM_X86_64 ? "x86_64" : "";
  struct Token {
    const char *name;
    const std::string &value;
  } tokens[] = {{"ORIGIN", origin}, {"LIB", lib}, {"PLATFORM", platform}};
  std::string out;
  for (std::size_t i = 0; i < entry.size();) {
    bool replaced = false;
    if (entry[i] == '$') {
      for (const Token &token : tokens) {
        std::string plain = token.name, braced = std::string("{") + token.name + "}";
        for (const std::string &form : {braced, plain}) {
          if (entry.compare(i + 1, form.size(), form) != 0)
            continue;
          // $ORIGINX is not $ORIGIN: the name must end there.
          std::size_t after = i + 1 + form.size();
          if (form == plain && after < entry.size() &&
              (std::isalnum(static_cast<unsigned char>(entry[after])) || entry[after] == '_'))
            continue;
          out += token.value;
          i = after;
          replaced = true;
          break;
        }
        if (replaced)
          break;
      }
    }
    if (!replaced)
      out += entry[i++];
  }
  return out;
}

} // namespace abitag::audit
