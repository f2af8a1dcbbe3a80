#include "audit/package_owners.h"

#include <algorithm>
#include <dirent.h>
#include <vector>

#include "fingerprint/discover.h"

namespace abitag::audit {

void PackageOwners::load() {
  loaded_ = true;
  std::string info = (root_ == "/" ? "" : root_) + "/var/lib/dpkg/info";
  DIR *dir = ::opendir(info.c_str());
  if (!dir)
    return;
  std::vector<std::string> lists;
  while (dirent *entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".list") == 0)
      lists.push_back(name);
  }
  ::closedir(dir);
  std::sort(lists.begin(), lists.end());
  owner_.reserve(200000);
  for (const std::string &list : lists) {
    auto buffer = llvm::MemoryBuffer::getFile(info + "/" + list, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      continue; // unreadable: its files are described by path alone
    std::string package = list.substr(0, list.size() - 5);
    packages_.push_back(package.substr(0, package.find(':'))); // libfoo1:amd64
    std::string_view text((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
    while (!text.empty()) {
      std::size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
      if (!line.empty() && line != "/." && line.back() != '/')
        owner_.emplace(line, static_cast<std::uint32_t>(packages_.size() - 1));
    }
    lists_.push_back(std::move(*buffer));
  }
}

std::string PackageOwners::describe(const std::string &path) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!loaded_)
    load();
  auto it = owner_.find(path);
  if (it == owner_.end()) {
    // dpkg may list the file under a name through a link (/lib/x for
    // /usr/lib/x on merged-/usr systems): try the names that lead to it.
    for (const char *prefix : {"/lib/", "/bin/", "/sbin/", "/lib64/", "/lib32/"}) {
      std::string alternative = std::string(prefix);
      std::size_t usr = path.find(std::string("/usr") + prefix);
      if (usr != 0)
        continue;
      alternative += path.substr(4 + std::string(prefix).size());
      it = owner_.find(alternative);
      if (it != owner_.end())
        break;
    }
  }
  if (it == owner_.end())
    return path;
  return path + " (package " + packages_[it->second] + ")";
}

} // namespace abitag::audit
