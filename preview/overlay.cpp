// SPDX-License-Identifier: MIT
#include "preview/overlay.h"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>

#include "fingerprint/open_path.h"
#include "fingerprint/paths.h"

namespace abitag::preview {
namespace {

constexpr int kMaxLinks = 40; // ld.so's and the kernel's limit

std::string rest_of(const std::vector<std::string> &parts, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < parts.size(); ++i)
    out += "/" + parts[i];
  return out;
}

} // namespace

Overlay Overlay::lay(const std::string &root, const std::string &image,
                                     const packages::RootAliases &aliases) {
  Overlay out;
  out.root_ = root;
  out.image_ = image;
  out.add_tree(image, "", aliases);
  return out;
}

void Overlay::add_tree(const std::string &host_folder, const std::string &inside,
                       const packages::RootAliases &aliases) {
  DIR *dir = ::opendir(host_folder.c_str());
  if (!dir) {
    problems_.push_back({host_folder, std::strerror(errno)});
    return;
  }
  std::vector<std::string> names;
  while (const dirent *entry = ::readdir(dir))
    if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
      names.emplace_back(entry->d_name);
  ::closedir(dir);
  for (const std::string &name : names) {
    std::string host = join_path(host_folder, name);
    std::string path = aliases.canonical(inside + "/" + name);
    struct stat st;
    if (lstat_path(host, &st) != 0) {
      problems_.push_back({host, std::strerror(errno)});
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      folders_.insert(path);
      add_tree(host, path, aliases);
      continue;
    }
    entries_[path] = {path, host, S_ISLNK(st.st_mode)};
    by_host_[host] = path;
  }
}

bool Overlay::take_away(const std::string &path) {
  if (entries_.count(path) || folders_.count(path))
    return false;
  return taken_away_.insert(path).second;
}

// Component by component, as the kernel resolves a path, each component
// looked up first in the image, then (unless taken away) in ROOT; links are
// followed inside the view, absolute ones from its top.
llvm::Expected<std::string> Overlay::resolve(const std::string &path) const {
  std::vector<std::string> parts = split_path(path);
  std::string done; // resolved so far, inside ROOT ("" is the top)
  int links = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string &part = parts[i];
    if (part == ".")
      continue;
    if (part == "..") {
      done = done.empty() ? "" : parent_dir(done) == "/" ? "" : parent_dir(done);
      continue;
    }
    std::string next = done + "/" + part;
    bool last = i + 1 == parts.size();
    std::string host, target;
    if (auto it = entries_.find(next); it != entries_.end()) {
      if (!it->second.link) {
        if (!last)
          return make_error(next + ": " + std::strerror(ENOTDIR));
        return it->second.host;
      }
      target = read_link_path(it->second.host);
    } else if (folders_.count(next)) {
      done = next;
      continue;
    } else if (taken_away_.count(next)) {
      return make_error(next + ": taken away by the merge");
    } else {
      host = in_root(next);
      struct stat st;
      if (lstat_path(host, &st) != 0)
        return make_error(next + ": " + std::strerror(errno));
      if (S_ISDIR(st.st_mode)) {
        done = next;
        continue;
      }
      if (!S_ISLNK(st.st_mode)) {
        if (!last)
          return make_error(next + ": " + std::strerror(ENOTDIR));
        return host;
      }
      target = read_link_path(host);
    }
    if (target.empty() || ++links > kMaxLinks)
      return make_error(next + ": " + std::strerror(target.empty() ? ENOENT : ELOOP));
    // Start again from the link's target, the rest of the path after it.
    std::vector<std::string> followed = split_path(target[0] == '/' ? target : done + "/" + target);
    std::string rest = rest_of(parts, i + 1);
    std::vector<std::string> tail = split_path(rest);
    followed.insert(followed.end(), tail.begin(), tail.end());
    parts = std::move(followed);
    done.clear();
    i = static_cast<std::size_t>(-1);
  }
  // A folder: ROOT's when it has it, else the image's.
  std::string host = in_root(done.empty() ? "/" : done);
  struct stat st;
  if (lstat_path(host, &st) == 0)
    return host;
  return image_ + done;
}

std::string Overlay::in_root(const std::string &path) const {
  return root_ == "/" ? path : root_ + path;
}

std::string Overlay::inside(const std::string &host_path) const {
  if (auto it = by_host_.find(host_path); it != by_host_.end())
    return it->second;
  return path_inside_root(root_, host_path);
}

} // namespace abitag::preview
