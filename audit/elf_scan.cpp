#include "audit/elf_scan.h"

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <optional>
#include <set>
#include <sys/stat.h>

#include <llvm/BinaryFormat/ELF.h>

#include "fingerprint/discover.h"
#include "fingerprint/parallel.h"

namespace abitag::audit {

bool skipped_top_level(std::string_view name) {
  // Pseudo file systems and scratch space: nothing installed lives there, and
  // /proc alone would offer every process's memory.
  static const std::set<std::string, std::less<>> skipped = {"proc", "sys", "dev", "run", "tmp", "lost+found"};
  return skipped.count(name) > 0;
}

std::vector<std::string> top_level_folders(const std::string &root) {
  std::vector<std::string> out;
  DIR *dir = ::opendir(root.c_str());
  if (!dir)
    return out;
  while (dirent *entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == ".." || skipped_top_level(name))
      continue;
    std::string path = root == "/" ? "/" + name : root + "/" + name;
    struct stat st;
    // Top-level links (/lib -> usr/lib on merged-/usr systems) lead to
    // folders walked anyway, under their real names.
    if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      out.push_back(path);
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

bool is_elf_program_or_library(std::string_view head) {
  if (sniff_content(head) != ContentKind::Elf || head.size() < 18)
    return false;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
  bool big_endian = byte(llvm::ELF::EI_DATA) == llvm::ELF::ELFDATA2MSB;
  unsigned type = big_endian ? byte(16) << 8 | byte(17) : byte(17) << 8 | byte(16);
  return type == llvm::ELF::ET_EXEC || type == llvm::ELF::ET_DYN;
}

ElfScan::ElfScan(std::string root, Progress &progress, bool census)
    : ElfScan(root, top_level_folders(root), progress, census) {}

ElfScan::ElfScan(std::string root, const std::vector<std::string> &walk, Progress &progress, bool census)
    : root_(std::move(root)) {
  DiscoverOptions options;
  options.root = root_;
  options.accept = is_elf_program_or_library;
  options.wanted = "not an ELF program or shared object";
  Discovery found = discover(walk, options);
  unreadable_ = found.errors;

  std::vector<std::uint64_t> sizes;
  for (const InputFile &file : found.files)
    sizes.push_back(file.size);
  std::vector<std::size_t> order = largest_first(sizes);
  std::vector<std::optional<ElfFacts>> facts(found.files.size());
  std::vector<std::string> failures(found.files.size());
  progress.begin("reading", found.files.size());
  parallel_for(order.size(), [&](std::size_t n) {
    std::size_t i = order[n];
    auto read = read_elf_facts(found.files[i].open_path, census);
    if (read)
      facts[i] = std::move(*read);
    else
      failures[i] = to_message(read.takeError());
    progress.advance();
  });
  progress.end();

  for (std::size_t i = 0; i < found.files.size(); ++i) {
    const InputFile &file = found.files[i];
    struct stat st;
    bool known = ::stat(file.open_path.c_str(), &st) == 0;
    FileId id{known ? st.st_dev : 0, known ? st.st_ino : 0};
    if (!facts[i]) {
      unreadable_.push_back({inside_root(file.path), failures[i]});
      if (known)
        failed_[id] = failures[i];
      continue;
    }
    entries_.push_back({inside_root(file.path), file.open_path, std::move(*facts[i])});
    if (known)
      by_id_[id] = &entries_.back();
  }
  walked_ = entries_.size();
  for (InputError &error : unreadable_)
    if (error.path.rfind(root_, 0) == 0)
      error.path = inside_root(error.path);
}

std::string ElfScan::inside_root(const std::string &host_path) const {
  if (root_ == "/")
    return host_path;
  if (host_path == root_)
    return "/";
  if (host_path.rfind(root_ + "/", 0) == 0)
    return host_path.substr(root_.size());
  return host_path;
}

const ElfEntry *ElfScan::entry_at(const std::string &host_path, std::string *why) {
  struct stat st;
  if (::stat(host_path.c_str(), &st) != 0) {
    *why = std::strerror(errno);
    return nullptr;
  }
  FileId id{st.st_dev, st.st_ino};
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = by_id_.find(id); it != by_id_.end())
    return it->second;
  if (auto it = failed_.find(id); it != failed_.end()) {
    *why = it->second;
    return nullptr;
  }
  // Outside the walk (a hard link elsewhere, a skipped folder): read it now.
  auto read = read_elf_facts(host_path, /*census=*/false); // only walked files are counted
  if (!read) {
    *why = failed_[id] = to_message(read.takeError());
    return nullptr;
  }
  entries_.push_back({inside_root(host_path), host_path, std::move(*read)});
  by_id_[id] = &entries_.back();
  return &entries_.back();
}

} // namespace abitag::audit
