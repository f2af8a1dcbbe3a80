#include "fingerprint/mapped_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint/errors.h"
#include "fingerprint/open_path.h"

namespace abitag {

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> map_file(const std::string &path) {
  int fd = open_path(path, O_RDONLY | O_NOFOLLOW);
  if (fd < 0)
    return make_error(errno == ELOOP ? "is a symbolic link" : std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error("not a regular file");
  }
  auto buffer = llvm::MemoryBuffer::getOpenFile(fd, path, st.st_size,
                                                /*RequiresNullTerminator=*/false);
  ::close(fd);
  if (!buffer)
    return make_error(buffer.getError().message());
  return std::move(*buffer);
}

} // namespace abitag
