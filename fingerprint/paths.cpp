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

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos)
      slash = path.size();
    if (slash > start)
      parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

} // namespace abitag
