// SPDX-License-Identifier: MIT
#include "fingerprint/ld_so_conf.h"

#include <algorithm>
#include <dirent.h>
#include <fnmatch.h>
#include <fstream>
#include <sys/stat.h>

#include <llvm/BinaryFormat/ELF.h>

#include "fingerprint/discover.h"
#include "fingerprint/paths.h"

namespace abitag {
namespace {

constexpr int kMaxIncludeDepth = 16; // an include loop must end

std::string trim(const std::string &text) {
  std::size_t start = text.find_first_not_of(" \t\r");
  if (start == std::string::npos)
    return {};
  std::size_t end = text.find_last_not_of(" \t\r");
  return text.substr(start, end - start + 1);
}

// Host path of PATH (inside ROOT), or empty when it does not resolve.
std::string host_path(const std::string &root, const std::string &path) {
  auto resolved = resolve_under_root(root, path);
  if (!resolved) {
    llvm::consumeError(resolved.takeError());
    return {};
  }
  return *resolved;
}

// The files matching PATTERN (a glob in its last component), sorted, as
// paths inside ROOT.
std::vector<std::string> glob_under_root(const std::string &root, const std::string &pattern) {
  std::string dir = parent_dir(pattern), name = pattern.substr(pattern.rfind('/') + 1);
  std::vector<std::string> out;
  std::string host = host_path(root, dir);
  if (host.empty())
    return out;
  DIR *d = ::opendir(host.c_str());
  if (!d)
    return out;
  while (dirent *entry = ::readdir(d))
    if (entry->d_name[0] != '.' && ::fnmatch(name.c_str(), entry->d_name, 0) == 0)
      out.push_back(join_path(dir, entry->d_name));
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

void read_conf_file(const std::string &root, const std::string &path, int depth,
                    std::vector<std::string> &dirs) {
  if (depth > kMaxIncludeDepth)
    return;
  std::string host = host_path(root, path);
  if (host.empty())
    return;
  std::ifstream in(host);
  for (std::string line; std::getline(in, line);) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty())
      continue;
    if (line.rfind("include", 0) == 0 && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
      std::string pattern = trim(line.substr(8));
      if (pattern.empty())
        continue;
      if (pattern[0] != '/')
        pattern = join_path(parent_dir(path), pattern);
      for (const std::string &file : glob_under_root(root, pattern))
        read_conf_file(root, file, depth + 1, dirs);
      continue;
    }
    if (line.rfind("hwcap", 0) == 0)
      continue;
    // Old syntax "DIR=TYPE" and lists separated by spaces, commas or colons.
    std::size_t start = 0;
    while (start < line.size()) {
      std::size_t end = line.find_first_of(" \t,:", start);
      if (end == std::string::npos)
        end = line.size();
      std::string dir = line.substr(start, end - start);
      dir = dir.substr(0, dir.find('='));
      while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
      if (!dir.empty() && dir[0] == '/' && std::find(dirs.begin(), dirs.end(), dir) == dirs.end())
        dirs.push_back(dir);
      start = end + 1;
    }
  }
}

} // namespace

std::vector<std::string> read_ld_so_conf(const std::string &root, const std::string &conf) {
  std::vector<std::string> dirs;
  read_conf_file(root, conf, 0, dirs);
  return dirs;
}

const char *multiarch_tuple(std::uint16_t machine, std::uint8_t elf_class) {
  bool is64 = elf_class == llvm::ELF::ELFCLASS64;
  switch (machine) {
  case llvm::ELF::EM_X86_64: return is64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32";
  case llvm::ELF::EM_386: return "i386-linux-gnu";
  case llvm::ELF::EM_AARCH64: return "aarch64-linux-gnu";
  case llvm::ELF::EM_ARM: return "arm-linux-gnueabihf";
  case llvm::ELF::EM_S390: return is64 ? "s390x-linux-gnu" : "s390-linux-gnu";
  case llvm::ELF::EM_PPC64: return "powerpc64le-linux-gnu";
  case llvm::ELF::EM_PPC: return "powerpc-linux-gnu";
  case llvm::ELF::EM_RISCV: return "riscv64-linux-gnu";
  case llvm::ELF::EM_MIPS: return is64 ? "mips64el-linux-gnuabi64" : "mipsel-linux-gnu";
  default: return nullptr;
  }
}

std::vector<std::string> default_library_dirs(const std::string &root, std::uint16_t machine,
                                              std::uint8_t elf_class) {
  std::vector<std::string> out;
  struct stat st;
  std::string lib64 = root == "/" ? "/usr/lib64" : root + "/usr/lib64";
  if (elf_class == llvm::ELF::ELFCLASS64 && ::lstat(lib64.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    out.push_back("/lib64");
    out.push_back("/usr/lib64");
  }
  if (const char *tuple = multiarch_tuple(machine, elf_class)) {
    out.push_back(std::string("/lib/") + tuple);
    out.push_back(std::string("/usr/lib/") + tuple);
  }
  out.push_back("/lib");
  out.push_back("/usr/lib");
  return out;
}

} // namespace abitag
