#include "audit/root_files.h"

#include <algorithm>
#include <mutex>
#include <set>

#include <llvm/BinaryFormat/ELF.h>

#include "analyzers/sbcl/core_header.h"
#include "fingerprint/paths.h"

namespace abitag::audit {

bool skipped_top_level(std::string_view name) {
  // Pseudo file systems and scratch space: nothing installed lives there, and
  // /proc alone would offer every process's memory.
  static const std::set<std::string, std::less<>> skipped = {"proc", "sys", "dev", "run", "tmp", "lost+found"};
  return skipped.count(name) > 0;
}

bool is_elf_program_or_library(std::string_view head) {
  if (sniff_content(head) != ContentKind::Elf || head.size() < 18)
    return false;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
  bool big_endian = byte(llvm::ELF::EI_DATA) == llvm::ELF::ELFDATA2MSB;
  unsigned type = big_endian ? byte(16) << 8 | byte(17) : byte(17) << 8 | byte(16);
  return type == llvm::ELF::ET_EXEC || type == llvm::ELF::ET_DYN;
}

RootFiles find_root_files(const std::string &root, const std::vector<std::string> &walk, Progress &progress,
                          const std::function<void(const InputFile &)> &on_elf) {
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
    if (whole_root && depth == 1 && skipped_top_level(name))
      return false;
    if (name == "package.conf.d") { // its files are GHC's, read by the ghc section
      std::lock_guard<std::mutex> lock(mutex);
      out.package_dbs.push_back(join_path(parent, std::string(name)));
      return false;
    }
    return true;
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
  out.errors = std::move(found.errors);
  std::sort(out.package_dbs.begin(), out.package_dbs.end());
  return out;
}

} // namespace abitag::audit
