// SPDX-License-Identifier: MIT
#include "audit/root_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

#include <llvm/BinaryFormat/ELF.h>

#include "analyzers/sbcl/sbcl.h"
#include "fingerprint/open_path.h"
#include "fingerprint/paths.h"
#include "fingerprint/walk.h"

namespace abitag::audit {

const char *skipped_top_level(std::string_view name) {
  // Pseudo file systems and scratch space: nothing installed lives there, and
  // /proc alone would offer every process's memory.
  static const std::map<std::string, const char *, std::less<>> skipped = {
      {"proc", "pseudo file system"}, {"sys", "pseudo file system"}, {"dev", "pseudo file system"},
      {"run", "scratch space"},       {"tmp", "scratch space"},      {"lost+found", "fsck's recovered files"}};
  auto it = skipped.find(name);
  return it == skipped.end() ? nullptr : it->second;
}

bool is_elf_program_or_library(std::string_view head) {
  if (sniff_content(head) != ContentKind::Elf || head.size() < 18)
    return false;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
  bool big_endian = byte(llvm::ELF::EI_DATA) == llvm::ELF::ELFDATA2MSB;
  unsigned type = big_endian ? byte(16) << 8 | byte(17) : byte(17) << 8 | byte(16);
  return type == llvm::ELF::ET_EXEC || type == llvm::ELF::ET_DYN;
}

namespace {

// How many entries other than folders FOLDER lists, or none when it cannot
// be listed.
std::optional<std::size_t> count_files(const std::string &folder) {
  int fd = open_path(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return std::nullopt;
  DIR *dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return std::nullopt;
  }
  std::size_t files = 0;
  while (const dirent *entry = ::readdir(dir))
    files += entry->d_type != DT_DIR && std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0;
  ::closedir(dir);
  return files;
}

// Sorts the walk's errors into folders it could not read and files it could
// not read. A folder that could be opened but not entered (read permission
// without search permission) lists its files, each of which then failed:
// they are counted on the folder, not reported one by one.
void sort_out_errors(RootFiles &out) {
  std::map<std::string, UnreadFolder> folders;
  std::vector<InputError> files;
  for (InputError &error : out.errors) {
    struct stat st;
    if (lstat_path(error.path, &st) == 0) {
      if (S_ISDIR(st.st_mode))
        folders.try_emplace(error.path, UnreadFolder{error.path, error.reason, std::nullopt});
      else
        files.push_back(std::move(error));
      continue;
    }
    bool denied = errno == EACCES; // its folder cannot be searched
    std::string folder = parent_dir(error.path);
    std::optional<std::size_t> listed = denied ? count_files(folder) : std::nullopt;
    if (listed)
      folders.try_emplace(folder, UnreadFolder{folder, error.reason, listed});
    else
      files.push_back(std::move(error)); // gone since, or its folder cannot be opened either
  }
  out.errors = std::move(files);
  for (auto &[path, folder] : folders)
    out.unread_folders.push_back(std::move(folder));
}

} // namespace

RootFiles find_root_files(const std::string &root, const std::vector<std::string> &walk, bool one_file_system,
                          Progress &progress, const std::function<void(const InputFile &)> &on_elf) {
  RootFiles out;
  std::mutex mutex;
  bool whole_root = walk.empty();
  DiscoverOptions options;
  options.root = root;
  options.accept = [](std::string_view head) {
    return is_elf_program_or_library(head) || sbcl::starts_like_plain_core(head);
  };
  options.wanted = "not an ELF program or shared object, nor an SBCL core";
  options.enter = [&](const std::string &parent, std::string_view name, int depth) {
    if (const char *why = whole_root && depth == 1 ? skipped_top_level(name) : nullptr) {
      std::lock_guard<std::mutex> lock(mutex);
      out.skipped.push_back({join_path(parent, std::string(name)), why});
      return false;
    }
    if (name == "package.conf.d") { // its files are GHC's, read by the ghc section
      std::lock_guard<std::mutex> lock(mutex);
      out.package_dbs.push_back(join_path(parent, std::string(name)));
      return false;
    }
    return true;
  };
  options.one_file_system = one_file_system;
  options.other_device = [&](const std::string &path) {
    std::lock_guard<std::mutex> lock(mutex);
    out.skipped.push_back({path, "another file system"});
  };
  options.seen = [&] { progress.advance(); };
  options.note_links = false; // the audit reports unreadable files, not links
  if (on_elf)
    options.kept = [&](const InputFile &file) {
      if (is_elf_program_or_library(file.head))
        on_elf(file);
    };
  progress.begin("scanning", 0);
  Discovery found = discover(whole_root ? std::vector<std::string>{root} : walk, options);
  progress.end();
  for (InputFile &file : found.files)
    (is_elf_program_or_library(file.head) ? out.elf : out.sbcl_cores).push_back(std::move(file));
  // A path named in WALK that is not a file the audit reads is nothing to
  // audit, not damage.
  for (InputError &error : found.errors) {
    bool named = std::find(walk.begin(), walk.end(), error.path) != walk.end();
    (named && error.reason == options.wanted ? out.not_wanted : out.errors).push_back(std::move(error));
  }
  sort_out_errors(out);
  std::sort(out.package_dbs.begin(), out.package_dbs.end());
  std::sort(out.skipped.begin(), out.skipped.end(),
            [](const SkippedFolder &a, const SkippedFolder &b) { return path_order_less(a.path, b.path); });
  return out;
}

} // namespace abitag::audit
