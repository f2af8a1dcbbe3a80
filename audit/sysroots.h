// SPDX-License-Identifier: MIT
// Sysroots: folders under ROOT that hold a dynamic loader and C library of
// their own (a cross toolchain's /usr/<triplet>/, a sysroot/, a chroot, an
// Alpine tree with musl's lib/ld-musl-x86_64.so.1, its loader and libc).
// A program there runs there (under qemu-user, on its target, in the
// chroot), so its libraries are looked for inside that folder, as if it were
// the root, never in ROOT's own folders.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/elf_scan.h"
#include "audit/loader.h"

namespace abitag::audit {

struct Sysroot {
  std::string path;      // inside ROOT: "/usr/s390x-linux-gnu"
  std::string host_path; // canonical, on the host
  std::string loader;    // inside the sysroot: "/lib/ld64.so.1"
  std::string libc;      // inside the sysroot: "/lib/libc.so.6"
  const char *target = ""; // the loader's multiarch tuple, "s390x-linux-gnu"
  bool musl = false;        // musl's loader, which is its libc too, and its search rules
};

// The sysroots that the files SCAN walked lie in, sorted by path: each
// folder above a walked file (ROOT excepted) whose glibc loader for that
// file's architecture (search_paths.h: standard_interpreter) is a file other
// than ROOT's own, with a libc.so.6 in its default library folders; or,
// failing that, whose musl loader (musl_interpreter) is a file other than
// ROOT's. One lookup per folder and architecture, whatever the number of
// files.
std::vector<Sysroot> find_sysroots(const ElfScan &scan);

// A loader for ROOT and one for each sysroot: each file is linked by the one
// of the innermost sysroot it lies in, or by ROOT's: glibc's, or musl's
// for a program whose PT_INTERP is musl's loader and a library that needs
// musl's libc.so (what Debian's musl-gcc builds: libc.so is that loader,
// the folders are ROOT's etc/ld-musl-ARCH.path).
class Loaders {
public:
  Loaders(ElfScan &scan, std::vector<Sysroot> sysroots);
  const std::vector<Sysroot> &sysroots() const { return sysroots_; }
  // The innermost sysroot holding PATH (inside ROOT), or null.
  const Sysroot *sysroot_of(const std::string &path) const;
  Loader &for_file(const ElfEntry &entry);

private:
  ElfScan &scan_;
  std::vector<Sysroot> sysroots_;
  Loader root_loader_;
  std::unique_ptr<Loader> root_musl_loader_; // built when a program first asks for it
  std::once_flag root_musl_built_;
  std::vector<std::unique_ptr<Loader>> sysroot_loaders_; // by index in sysroots_
};

} // namespace abitag::audit
