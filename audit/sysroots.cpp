// SPDX-License-Identifier: MIT
#include "audit/sysroots.h"

#include <algorithm>
#include <map>

#include <sys/stat.h>

#include "audit/search_paths.h"
#include "fingerprint/discover.h"
#include "fingerprint/ld_so_conf.h"
#include "fingerprint/paths.h"

namespace abitag::audit {
namespace {

// PATH resolved under ROOT when it is a regular file there, else empty.
std::string file_under(const std::string &root, const std::string &path) {
  auto host = resolve_under_root(root, path);
  if (!host) {
    llvm::consumeError(host.takeError());
    return {};
  }
  struct stat st;
  return ::stat(host->c_str(), &st) == 0 && S_ISREG(st.st_mode) ? *host : std::string();
}

// ROOT's own loaders of one architecture, on the host (empty when none):
// a folder such as /usr reaches them through its links.
struct RootLoaders {
  std::string glibc, musl;
};

// FOLDER (inside ROOT) as a sysroot for files like FACTS, when it holds a
// glibc loader for them other than ROOT's and a C library, or a musl
// loader other than ROOT's (musl's loader is its C library).
std::optional<Sysroot> sysroot_at(const std::string &root, const std::string &folder, const ElfFacts &facts,
                                  const RootLoaders &root_loaders) {
  const char *standard = standard_interpreter(facts.machine, facts.elf_class);
  auto host = resolve_under_root(root, folder);
  if (!host) {
    llvm::consumeError(host.takeError());
    return std::nullopt;
  }
  std::string loader = file_under(*host, standard);
  if (!loader.empty() && loader != root_loaders.glibc)
    for (const std::string &dir : default_library_dirs(*host, facts.machine, facts.elf_class)) {
      std::string libc = join_path(dir, "libc.so.6");
      if (!file_under(*host, libc).empty()) {
        const char *target = multiarch_tuple(facts.machine, facts.elf_class);
        return Sysroot{folder, *host, standard, libc, target ? target : "", false};
      }
    }
  MuslLoader musl = musl_interpreter(facts.machine, facts.elf_class);
  if (!musl.path)
    return std::nullopt;
  std::string musl_loader = file_under(*host, musl.path);
  if (musl_loader.empty() || musl_loader == root_loaders.musl)
    return std::nullopt;
  return Sysroot{folder, *host, musl.path, musl.path, musl.target, true};
}

// Whether musl's loader MUSL links files like FACTS: a program naming it as
// PT_INTERP, or a library musl-gcc linked, which needs libc.so (Alpine's
// need libc.musl-ARCH.so.1; glibc's libraries need libc.so.6).
bool musl_linked(const ElfFacts &facts, const char *musl) {
  if (!facts.interpreter.empty())
    return facts.interpreter == musl;
  return std::any_of(facts.needed.begin(), facts.needed.end(), [](const std::string &name) {
    return name == "libc.so" || name.compare(0, 10, "libc.musl-") == 0;
  });
}

} // namespace

std::vector<Sysroot> find_sysroots(const ElfScan &scan) {
  std::map<std::uint32_t, RootLoaders> root_loaders; // by machine and class
  std::map<std::pair<std::string, std::uint32_t>, bool> looked_at; // folder and target
  std::map<std::string, Sysroot> found;
  for (std::size_t i = 0; i < scan.walked(); ++i) {
    const ElfFacts &facts = scan.entries()[i].facts;
    const char *standard = standard_interpreter(facts.machine, facts.elf_class);
    if (!facts.loadable() || !standard)
      continue;
    std::uint32_t target = std::uint32_t(facts.machine) << 8 | facts.elf_class;
    auto root_loader = root_loaders.find(target);
    if (root_loader == root_loaders.end()) {
      const char *musl = musl_interpreter(facts.machine, facts.elf_class).path;
      RootLoaders own{file_under(scan.root(), standard), musl ? file_under(scan.root(), musl) : std::string()};
      root_loader = root_loaders.emplace(target, std::move(own)).first;
    }
    // Up from the file's folder to the first sysroot; a folder looked at
    // before was looked at with every folder above it.
    for (std::string dir = parent_dir(scan.entries()[i].path); dir != "/" && dir != "."; dir = parent_dir(dir)) {
      if (!looked_at.emplace(std::make_pair(dir, target), true).second)
        break;
      if (found.count(dir))
        break;
      if (std::optional<Sysroot> sysroot = sysroot_at(scan.root(), dir, facts, root_loader->second)) {
        found.emplace(dir, std::move(*sysroot));
        break;
      }
    }
  }
  std::vector<Sysroot> out;
  for (auto &[path, sysroot] : found)
    out.push_back(std::move(sysroot));
  return out;
}

Loaders::Loaders(ElfScan &scan, std::vector<Sysroot> sysroots)
    : scan_(scan), sysroots_(std::move(sysroots)), root_loader_(scan) {
  for (const Sysroot &sysroot : sysroots_)
    sysroot_loaders_.push_back(
        std::make_unique<Loader>(scan, sysroot.path, sysroot.host_path, sysroot.musl ? sysroot.loader : ""));
}

const Sysroot *Loaders::sysroot_of(const std::string &path) const {
  const Sysroot *innermost = nullptr;
  for (const Sysroot &sysroot : sysroots_)
    if (path.compare(0, sysroot.path.size(), sysroot.path) == 0 && path.size() > sysroot.path.size() &&
        path[sysroot.path.size()] == '/' && (!innermost || sysroot.path.size() > innermost->path.size()))
      innermost = &sysroot;
  return innermost;
}

Loader &Loaders::for_file(const ElfEntry &entry) {
  if (const Sysroot *sysroot = sysroot_of(entry.path))
    return *sysroot_loaders_[sysroot - sysroots_.data()];
  const char *musl = musl_interpreter(entry.facts.machine, entry.facts.elf_class).path;
  if (!musl || !musl_linked(entry.facts, musl))
    return root_loader_;
  std::call_once(root_musl_built_, [&] { root_musl_loader_ = std::make_unique<Loader>(scan_, "", "", musl); });
  return *root_musl_loader_;
}

} // namespace abitag::audit
