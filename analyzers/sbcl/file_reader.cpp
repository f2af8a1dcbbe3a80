// SPDX-License-Identifier: MIT
#include "analyzers/sbcl/file_reader.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/open_path.h"

namespace abitag::sbcl {

llvm::Expected<FileReader> FileReader::open(const std::string &path) {
  int fd = open_path(path, O_RDONLY);
  if (fd < 0)
    return make_error(std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error("not a regular file");
  }
  return FileReader(fd, static_cast<std::uint64_t>(st.st_size), path);
}

FileReader FileReader::from_bytes(std::string_view bytes, std::string name) {
  FileReader reader(-1, bytes.size(), std::move(name));
  reader.bytes_ = bytes;
  return reader;
}

FileReader::FileReader(FileReader &&other) noexcept
    : fd_(other.fd_), bytes_(other.bytes_), size_(other.size_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

FileReader::~FileReader() {
  if (fd_ >= 0)
    ::close(fd_);
}

llvm::Expected<std::string> FileReader::read(std::uint64_t offset, std::uint64_t length,
                                             const std::string &what) const {
  if (!contains(offset, length))
    return make_error(what + " (" + std::to_string(length) + " bytes at offset " +
                      std::to_string(offset) + ") runs past the end of the file (" +
                      std::to_string(size_) + " bytes)");
  if (fd_ < 0)
    return std::string(bytes_.substr(offset, length));
  std::string bytes(length, '\0');
  std::uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd_, bytes.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return make_error(std::string("reading ") + what + ": " + std::strerror(errno));
    if (n == 0)
      return make_error("reading " + what + ": the file shrank while being read");
    done += static_cast<std::uint64_t>(n);
  }
  return bytes;
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> FileReader::map() const {
  if (fd_ < 0)
    return llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(bytes_.data(), bytes_.size()), path_,
                                            /*RequiresNullTerminator=*/false);
  return map_file(path_);
}

} // namespace abitag::sbcl
