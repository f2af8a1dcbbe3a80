// SPDX-License-Identifier: MIT
// Opening a file by a path of any length. open(2) refuses paths longer than
// PATH_MAX (4096 bytes), but a tree 10,000 folders deep is still a tree a
// package can install and an audit must read; such paths are opened one
// stretch at a time with openat(2) relative to the folder reached so far.
#pragma once

#include <string>
#include <sys/stat.h>

namespace abitag {

// Like ::open(PATH, FLAGS): a file descriptor, or -1 with errno set. FLAGS
// apply to the last component; every folder on the way is opened with
// O_DIRECTORY | O_PATH and may be a link, as with open(2).
int open_path(const std::string &path, int flags);

// lstat(2), stat(2) and readlink(2) for a path of any length; the same
// results and errno. read_link_path returns "" on failure.
int lstat_path(const std::string &path, struct stat *st);
int stat_path(const std::string &path, struct stat *st);
std::string read_link_path(const std::string &path);

} // namespace abitag
