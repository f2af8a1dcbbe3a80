// SPDX-License-Identifier: MIT
// Reading the first bytes of every regular file the walk meets.
//
// Finding files by content means opening and reading all of them: under /usr,
// 157,000 files, each costing four system calls (open, a readahead hint, read,
// close), most of the audit's kernel time. Through io_uring a batch of files
// costs two system calls, with the same work done in the kernel: less CPU
// for the walk (scripts/bench-audit measures it). Where io_uring is missing or
// forbidden (kernels before 5.19, seccomp filters, ABITAG_IO_URING=0), the
// files are read with plain system calls, with the same results.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace abitag {

// A folder open for reading, with the path it is shown by; closed when the
// last reader of its files lets go of it.
struct OpenFolder {
  int fd;
  std::string path;
  OpenFolder(int fd, std::string path) : fd(fd), path(std::move(path)) {}
  ~OpenFolder();
  OpenFolder(const OpenFolder &) = delete;
  OpenFolder &operator=(const OpenFolder &) = delete;
};

// One file whose first bytes were read. Its path is made only when asked
// for: a walk of /usr meets 157,000 files, and keeps 3,000.
struct WalkedFile {
  const OpenFolder &folder; // the open folder it is in, and
  const char *name;         // its name there (fstatat with AT_SYMLINK_NOFOLLOW for more)
  std::string_view head;
  std::string path() const;
};

class HeadReader {
public:
  using FileCall = std::function<void(const WalkedFile &file)>;
  using ErrorCall = std::function<void(const std::string &path, const std::string &reason)>;

  // ON_FILE gets each file read (up to HEAD_SIZE bytes); ON_ERROR each one
  // that could not be opened or read, with the reason. One reader per thread.
  HeadReader(std::size_t head_size, FileCall on_file, ErrorCall on_error);
  ~HeadReader();
  HeadReader(const HeadReader &) = delete;
  HeadReader &operator=(const HeadReader &) = delete;

  // The file NAME in FOLDER, read now or in a batch, at the latest by
  // flush() (the reader holds FOLDER open until then).
  void add(const std::shared_ptr<const OpenFolder> &folder, std::string name);
  void flush();

  bool batched() const; // whether io_uring is in use (known after the first add)

private:
  struct Batch;
  void read_plainly(const OpenFolder &folder, const std::string &name);
  // Tells ON_ERROR that NAME in FOLDER could not be read, for ERROR (an errno).
  void report(const OpenFolder &folder, const std::string &name, int error) const;

  std::size_t head_size_;
  FileCall on_file_;
  ErrorCall on_error_;
  std::string head_;
  bool tried_batch_ = false;
  std::unique_ptr<Batch> batch_; // null without io_uring
};

// Whether walks may use io_uring: not when ABITAG_IO_URING is "0".
bool io_uring_allowed();

} // namespace abitag
