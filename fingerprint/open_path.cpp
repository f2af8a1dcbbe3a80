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

} // namespace abitag
