// SPDX-License-Identifier: MIT
#include "fingerprint/paths.h"

namespace abitag {

std::string join_path(const std::string &dir, const std::string &name) {
  if (dir.empty())
    return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string path_inside_root(const std::string &root, const std::string &host_path) {
  if (root == "/")
    return host_path;
  if (host_path == root)
    return "/";
  if (host_path.size() > root.size() && host_path.compare(0, root.size(), root) == 0 &&
      host_path[root.size()] == '/')
    return host_path.substr(root.size());
  return host_path;
}

std::string parent_dir(const std::string &path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool is_under(const std::string &path, const std::string &folder) {
  return path == folder || (path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
                            (folder.back() == '/' || path[folder.size()] == '/'));
}

bool overlaps(const std::string &tree, const std::vector<std::string> &walk) {
  if (walk.empty())
    return true;
  for (const std::string &under : walk)
    if (is_under(tree, under) || is_under(under, tree))
      return true;
  return false;
}

} // namespace abitag
