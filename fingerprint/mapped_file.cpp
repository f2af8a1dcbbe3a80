// SPDX-License-Identifier: MIT
#include "fingerprint/mapped_file.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint/errors.h"
#include "fingerprint/open_path.h"

namespace abitag {

namespace {

// Below this a file is read whole when cold, in one read-around or two: no
// hints (each is a system call, paid also when the file is in the cache).
constexpr std::size_t kReadInPartsAbove = 1 << 20;

// madvise on the pages that hold [BEGIN, BEGIN + SIZE). Only a hint: failure
// changes nothing but speed.
void advise(const void *begin, std::size_t size, int advice) {
  static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  std::uintptr_t start = reinterpret_cast<std::uintptr_t>(begin) & ~(page - 1);
  std::uintptr_t end = reinterpret_cast<std::uintptr_t>(begin) + size;
  ::madvise(reinterpret_cast<void *>(start), end - start, advice);
}

bool mapped_in_parts(const llvm::MemoryBuffer &buffer) {
  return buffer.getBufferKind() == llvm::MemoryBuffer::MemoryBuffer_MMap &&
         buffer.getBufferSize() > kReadInPartsAbove;
}

// Opens PATH, a regular file, into *FD, with its size in ST.
llvm::Error open_regular(const std::string &path, int *fd, struct stat &st) {
  *fd = open_path(path, O_RDONLY | O_NOFOLLOW);
  if (*fd < 0)
    return make_error(errno == ELOOP ? "is a symbolic link" : std::strerror(errno));
  if (::fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(*fd);
    return make_error("not a regular file");
  }
  return llvm::Error::success();
}

// Maps the open file FD (closing it), or reads it when LLVM finds it too
// small to map.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> map_open(int fd, const struct stat &st, const std::string &path,
                                                             Reading reading) {
  auto buffer = llvm::MemoryBuffer::getOpenFile(fd, path, st.st_size,
                                                /*RequiresNullTerminator=*/false);
  ::close(fd);
  if (!buffer)
    return make_error(buffer.getError().message());
  if (reading == Reading::InParts && mapped_in_parts(**buffer))
    advise((*buffer)->getBufferStart(), (*buffer)->getBufferSize(), MADV_RANDOM);
  return std::move(*buffer);
}

} // namespace

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> map_file(const std::string &path, Reading reading) {
  int fd;
  struct stat st;
  if (llvm::Error e = open_regular(path, &fd, st))
    return e;
  return map_open(fd, st, path, reading);
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> load_file(const std::string &path, Reading reading,
                                                              std::vector<char> &scratch) {
  int fd;
  struct stat st;
  if (llvm::Error e = open_regular(path, &fd, st))
    return e;
  std::size_t size = static_cast<std::size_t>(st.st_size);
  if (size > kCopiedAtMost)
    return map_open(fd, st, path, reading);
  if (scratch.size() < size)
    scratch.resize(kCopiedAtMost);
  // Up to the size fstat gave, as a mapping would show: a file that shrank
  // since is shorter, one that grew is not read past it.
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, scratch.data() + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return make_error(std::strerror(error));
    }
    if (n == 0)
      break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(scratch.data(), done), path,
                                          /*RequiresNullTerminator=*/false);
}

void will_read(llvm::StringRef whole, const void *begin, std::size_t size) {
  if (whole.size() > kReadInPartsAbove && size > 0)
    advise(begin, size, MADV_WILLNEED);
}

void read_whole(const llvm::MemoryBuffer &buffer) {
  if (mapped_in_parts(buffer))
    advise(buffer.getBufferStart(), buffer.getBufferSize(), MADV_NORMAL);
}

// MADV_DONTNEED on a private file mapping that was never written drops only
// the page table entries: the bytes read again are the file's. Only whole
// pages inside the part go, so a neighbour being read keeps its own.
void done_reading(const llvm::MemoryBuffer &buffer, const void *begin, std::size_t size) {
  if (!mapped_in_parts(buffer))
    return;
  static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  std::uintptr_t start = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) & ~(page - 1);
  std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(begin) + size) & ~(page - 1);
  if (start < end)
    ::madvise(reinterpret_cast<void *>(start), end - start, MADV_DONTNEED);
}

} // namespace abitag
