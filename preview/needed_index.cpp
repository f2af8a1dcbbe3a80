// SPDX-License-Identifier: MIT
#include "preview/needed_index.h"

#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/elf_facts.h"
#include "audit/root_files.h"
#include "fingerprint/discover.h"
#include "fingerprint/open_path.h"
#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"

namespace abitag::preview {
namespace {

std::string host_of(const std::string &root, const std::string &path) { return root == "/" ? path : root + path; }

bool may_be_elf_program_or_library(const std::string &host, std::string_view name) {
  if (name.find(".so") != std::string_view::npos)
    return true;
  struct stat st;
  return lstat_path(host, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

// The packages' files that may be ELF programs or libraries, as host paths.
std::vector<std::string> packaged_candidates(const std::string &root, const packages::OwnerIndex &index) {
  std::set<std::string> paths;
  for (const packages::Database &database : index.databases())
    for (const packages::Package &package : database.packages)
      for (std::size_t i = 0; i < package.files.size(); ++i) {
        packages::EntryType type = package.files[i].type;
        if (type == packages::EntryType::directory || type == packages::EntryType::symlink)
          continue;
        paths.insert(index.placed_path(package, i));
      }
  // An lstat each for most of them (those without ".so" in their names):
  // on all cores, where one after the other cost more than the rest.
  std::vector<std::string> hosts;
  hosts.reserve(paths.size());
  for (const std::string &path : paths)
    hosts.push_back(host_of(root, path));
  std::vector<char> keep(hosts.size(), 0);
  parallel_for(hosts.size(), [&](std::size_t i) {
    const std::string &host = hosts[i];
    keep[i] = may_be_elf_program_or_library(host, std::string_view(host).substr(host.rfind('/') + 1));
  }, io_threads());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < hosts.size(); ++i)
    if (keep[i])
      out.push_back(std::move(hosts[i]));
  return out;
}

std::vector<std::string> walked_elf_files(const std::string &root, audit::Progress &progress) {
  std::vector<std::string> out;
  for (InputFile &file : audit::find_root_files(root, {}, false, progress).elf)
    out.push_back(std::move(file.open_path));
  return out;
}

// Whether the file at HOST is an ELF program or library that needs one of NAMES.
bool needs_one_of(const std::string &host, const std::set<std::string> &names, bool &elf) {
  elf = audit::is_elf_program_or_library(first_bytes(host));
  if (!elf)
    return false;
  auto facts = audit::read_loader_facts(host);
  if (!facts) {
    llvm::consumeError(facts.takeError()); // damaged: the audit's to report, not a dependant's
    return false;
  }
  return std::any_of(facts->needed.begin(), facts->needed.end(),
                     [&](const std::string &name) { return names.count(name) > 0; });
}

} // namespace

std::string first_bytes(const std::string &host) {
  // O_NONBLOCK: a FIFO a package lists must not hang the preview.
  int fd = open_path(host, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return {};
  std::string head(kHeadSize, '\0');
  ssize_t got = ::read(fd, head.data(), head.size());
  ::close(fd);
  head.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  return head;
}

Dependants files_needing(const std::string &root, const packages::OwnerIndex &index,
                         const std::set<std::string> &names, bool whole_root, audit::Progress &progress) {
  bool walk = whole_root || index.databases().empty();
  std::vector<std::string> hosts = walk ? walked_elf_files(root, progress) : packaged_candidates(root, index);
  std::vector<char> needs(hosts.size(), 0), elf(hosts.size(), 0);
  progress.begin("indexing", hosts.size());
  parallel_for(hosts.size(), [&](std::size_t i) {
    bool is_elf = false;
    needs[i] = needs_one_of(hosts[i], names, is_elf);
    elf[i] = is_elf;
    progress.advance();
  }, io_threads());
  progress.end();
  Dependants out;
  out.indexed = static_cast<std::size_t>(std::count(elf.begin(), elf.end(), 1));
  for (std::size_t i = 0; i < hosts.size(); ++i)
    if (needs[i])
      out.paths.push_back(path_inside_root(root, hosts[i]));
  std::sort(out.paths.begin(), out.paths.end());
  return out;
}

} // namespace abitag::preview
