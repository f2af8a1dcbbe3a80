// SPDX-License-Identifier: MIT
#include "fingerprint/open_path.h"

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <unistd.h>

namespace abitag {
namespace {

// Stretches stay well below PATH_MAX so each openat() takes one whole.
constexpr std::size_t kStretch = PATH_MAX / 2;

void close_keeping_errno(int fd) {
  int saved = errno;
  ::close(fd);
  errno = saved;
}

} // namespace

int open_path(const std::string &path, int flags) {
  if (path.size() < kStretch)
    return ::open(path.c_str(), flags | O_CLOEXEC);
  int dir = AT_FDCWD;
  std::size_t start = 0;
  if (path[0] == '/') {
    dir = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
      return -1;
    start = 1;
  }
  while (true) {
    // The longest run of whole components from START that fits a stretch.
    std::size_t end = path.size();
    if (end - start >= kStretch) {
      end = path.rfind('/', start + kStretch);
      if (end == std::string::npos || end <= start) {
        if (dir != AT_FDCWD)
          close_keeping_errno(dir);
        errno = ENAMETOOLONG; // one component longer than a stretch
        return -1;
      }
    }
    std::string stretch = path.substr(start, end - start);
    bool last = end == path.size();
    int next = ::openat(dir, stretch.c_str(), last ? flags | O_CLOEXEC : O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir != AT_FDCWD)
      close_keeping_errno(dir);
    if (next < 0 || last)
      return next;
    dir = next;
    start = end + 1;
  }
}

namespace {

// The folder holding PATH's last component, opened O_PATH, and that
// component's name; -1 when the folder cannot be opened.
int open_parent(const std::string &path, std::string &name) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    name = path;
    return ::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  }
  name = path.substr(slash + 1);
  return open_path(slash == 0 ? "/" : path.substr(0, slash), O_PATH | O_DIRECTORY);
}

} // namespace

int lstat_path(const std::string &path, struct stat *st) {
  if (path.size() < kStretch)
    return ::lstat(path.c_str(), st);
  std::string name;
  int dir = open_parent(path, name);
  if (dir < 0)
    return -1;
  int result = ::fstatat(dir, name.c_str(), st, AT_SYMLINK_NOFOLLOW);
  close_keeping_errno(dir);
  return result;
}

int stat_path(const std::string &path, struct stat *st) {
  if (path.size() < kStretch)
    return ::stat(path.c_str(), st);
  int fd = open_path(path, O_PATH);
  if (fd < 0)
    return -1;
  int result = ::fstat(fd, st);
  close_keeping_errno(fd);
  return result;
}

std::string read_link_path(const std::string &path) {
  std::string name;
  int dir = path.size() < kStretch ? AT_FDCWD : open_parent(path, name);
  if (path.size() >= kStretch && dir < 0)
    return {};
  std::string target(PATH_MAX, '\0');
  ssize_t n = ::readlinkat(dir, path.size() < kStretch ? path.c_str() : name.c_str(), target.data(), target.size());
  if (dir != AT_FDCWD)
    close_keeping_errno(dir);
  if (n < 0)
    return {};
  target.resize(static_cast<std::size_t>(n));
  return target;
}

} // namespace abitag
