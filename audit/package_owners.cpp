#include "audit/package_owners.h"

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <system_error>
#include <vector>

#include <llvm/Support/MemoryBuffer.h>

#include "fingerprint/discover.h"
#include "fingerprint/name_hash.h"
#include "fingerprint/parallel.h"

namespace abitag::audit {

namespace {

std::uint64_t path_hash(std::string_view path) {
  return name_hash(path);
}

} // namespace

void PackageOwners::add_list(std::string_view text, std::uint32_t package, std::vector<Owner> &out) {
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line != "/." && line.back() != '/')
      out.push_back({path_hash(line), package});
  }
}

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
  // A few thousand small files: read and hashed on all cores (with more
  // threads than cores: after a while unread they come from the disk), joined
  // in the lists' order.
  std::vector<std::vector<Owner>> listed(lists.size());
  parallel_for(lists.size(), [&](std::size_t i) {
    auto buffer = llvm::MemoryBuffer::getFile(info + "/" + lists[i], /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (buffer) // else unreadable: its files are described by path alone
      add_list((*buffer)->getBuffer(), static_cast<std::uint32_t>(i), listed[i]);
  }, io_threads());
  std::size_t count = 0;
  for (const std::vector<Owner> &owners : listed)
    count += owners.size();
  owners_.reserve(count);
  for (std::size_t i = 0; i < lists.size(); ++i) {
    std::string package = lists[i].substr(0, lists[i].size() - 5);
    packages_.push_back(package.substr(0, package.find(':'))); // libfoo1:amd64
    owners_.insert(owners_.end(), listed[i].begin(), listed[i].end());
    std::vector<Owner>().swap(listed[i]);
  }
  // Stable: a folder many packages list stays with the first list, by name.
  std::stable_sort(owners_.begin(), owners_.end(),
                   [](const Owner &a, const Owner &b) { return a.hash < b.hash; });
}

const std::string *PackageOwners::owner_of(std::string_view path) const {
  std::uint64_t hash = path_hash(path);
  auto it = std::lower_bound(owners_.begin(), owners_.end(), hash,
                             [](const Owner &o, std::uint64_t h) { return o.hash < h; });
  return it != owners_.end() && it->hash == hash ? &packages_[it->package] : nullptr;
}

PackageOwners::~PackageOwners() { wait_ahead(); }

void PackageOwners::wait_ahead() {
  if (ahead_.joinable())
    ahead_.join();
}

void PackageOwners::load_ahead() {
  if (ahead_.joinable())
    return;
  try {
    ahead_ = std::thread([this] {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!loaded_)
        load();
    });
  } catch (const std::system_error &) {
    // No thread to be had: describe() reads it when first asked.
  }
}

std::string PackageOwners::describe(const std::string &path) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!loaded_)
    load();
  const std::string *package = owner_of(path);
  // dpkg may list the file under a name through a link (/lib/x for
  // /usr/lib/x on merged-/usr systems): try the names that lead to it.
  for (const char *prefix : {"/lib/", "/bin/", "/sbin/", "/lib64/", "/lib32/"}) {
    if (package)
      break;
    if (path.rfind(std::string("/usr") + prefix, 0) == 0)
      package = owner_of(std::string(prefix) + path.substr(4 + std::strlen(prefix)));
  }
  return package ? path + " (package " + *package + ")" : path;
}

} // namespace abitag::audit
