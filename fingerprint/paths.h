// SPDX-License-Identifier: MIT
// Joining and splitting paths as strings, the way the dynamic linker and a
// walk under a root see them (no file system access).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace abitag {

// "/usr/lib/x" from "/usr/lib" and "x"; a relative dir is kept as given.
std::string join_path(const std::string &dir, const std::string &name);

// HOST_PATH as seen from inside ROOT ("/usr/lib/x" for "/img/usr/lib/x"
// under "/img"; "/" for ROOT itself); a path outside ROOT is kept as given.
std::string path_inside_root(const std::string &root, const std::string &host_path);

// The components of PATH between its slashes ("a", "b" of "/a//b/"), "."
// and ".." kept as they are.
std::vector<std::string> split_path(std::string_view path);

// "/usr/lib" from "/usr/lib/x", "/" from "/x", "." from "x".
std::string parent_dir(const std::string &path);

// Whether PATH is FOLDER or lies below it ("/a/b" is under "/a", "/ab" is not).
bool is_under(const std::string &path, const std::string &folder);

// Whether a walk of the folders WALK (all when empty) reads anything of
// TREE: one of them lies in TREE, or TREE in one of them.
bool overlaps(const std::string &tree, const std::vector<std::string> &walk);

} // namespace abitag
