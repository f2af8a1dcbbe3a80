// SPDX-License-Identifier: MIT
// Reading pieces of a core at given offsets. Every offset and length comes
// from the file itself, so each read is checked against the file's size
// before it happens: a corrupt core gives an error, never a read elsewhere.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

namespace abitag::sbcl {

class FileReader {
public:
  static llvm::Expected<FileReader> open(const std::string &path);
  // Reads BYTES (which the caller keeps alive) as if they were a file named NAME.
  static FileReader from_bytes(std::string_view bytes, std::string name);
  FileReader(FileReader &&other) noexcept;
  FileReader &operator=(FileReader &&) = delete;
  ~FileReader();

  std::uint64_t size() const { return size_; }
  const std::string &path() const { return path_; }
  // Exactly LENGTH bytes at OFFSET; WHAT names them in the error.
  llvm::Expected<std::string> read(std::uint64_t offset, std::uint64_t length,
                                   const std::string &what) const;
  // The whole file as one buffer (mapped, without following a link).
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> map() const;
  bool contains(std::uint64_t offset, std::uint64_t length) const {
    return offset <= size_ && length <= size_ - offset;
  }

private:
  FileReader(int fd, std::uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_ = -1;
  std::string_view bytes_; // from_bytes: the file's contents
  std::uint64_t size_ = 0;
  std::string path_;
};

} // namespace abitag::sbcl
