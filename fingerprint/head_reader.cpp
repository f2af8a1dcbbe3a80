// SPDX-License-Identifier: MIT
#include "fingerprint/head_reader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>
#include <vector>

#include "fingerprint/paths.h"

namespace abitag {

OpenFolder::~OpenFolder() { ::close(fd); }

std::string WalkedFile::path() const { return join_path(folder.path, name); }

namespace {

// Opened read-only, never through a link, not blocking on a fifo swapped in.
constexpr int kOpenFlags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;

// Files per batch: two ring entries each, in each of two rounds. Large
// enough that the system calls are shared by many files, small enough that a
// folder of a few files does not wait for others.
constexpr unsigned kBatchFiles = 64;

// Folders whose files one batch holds, at most: each stays open until the
// batch is read (see walk.h), so the walk's 8 threads (on 2 cores) keep at
// most 64 descriptors open for their batches, well within the usual limit
// of 1024 open files (and within 128, with the ELF files being read).
constexpr unsigned kBatchFolders = 8;

// What becomes of one file's operations.
enum Step : unsigned { kOpen, kAdvise, kRead, kClose, kSteps };

// Ring entries a file takes in each round (open and hint, then read and close).
constexpr unsigned kEntriesPerRound = 2;

} // namespace

bool io_uring_allowed() {
  const char *setting = std::getenv("ABITAG_IO_URING");
  return !setting || std::strcmp(setting, "0") != 0;
}

// A ring whose fixed-file table has a slot per file of a batch: each file is
// opened into its slot and hinted, then read and closed (see submit), so no
// descriptor ever enters the process's table.
struct HeadReader::Batch {
  struct File {
    unsigned folder; // in FOLDERS
    std::string name;
    int opened = -ECANCELED, read = -ECANCELED; // results, or -errno
  };
  io_uring ring{};
  bool ready = false;
  std::vector<File> files;
  // The folders FILES are in, held open (a folder's files are added together).
  std::vector<std::shared_ptr<const OpenFolder>> folders;
  std::vector<char> heads;

  explicit Batch(std::size_t head_size) : heads(kBatchFiles * head_size) {
    // SUBMIT_ALL: an entry the kernel refuses does not stop the ones after
    // it, so every entry submitted gives one completion to wait for.
    // SINGLE_ISSUER and DEFER_TASKRUN (Linux 6.1): only this thread uses the
    // ring, so the work that ends each operation runs when it waits, not as
    // an interruption, which costs less CPU time; without them on older
    // kernels.
    if (io_uring_queue_init(kBatchFiles * kEntriesPerRound, &ring,
                            IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN) != 0 &&
        io_uring_queue_init(kBatchFiles * kEntriesPerRound, &ring, IORING_SETUP_SUBMIT_ALL) != 0)
      return;
    if (io_uring_register_files_sparse(&ring, kBatchFiles) != 0) {
      io_uring_queue_exit(&ring);
      return;
    }
    ready = true;
    files.reserve(kBatchFiles);
    folders.reserve(kBatchFolders);
  }
  ~Batch() {
    if (ready)
      io_uring_queue_exit(&ring);
  }

  enum class Outcome {
    Done,
    Refused,         // nothing was started: the ring can go
    FailedInFlight,  // the kernel may still write into `heads`: keep them
  };

  // Two rounds, one system call each. First every file is opened into its
  // slot and hinted; then every opened file is read, and closed after.
  // The reads head their chains so that they all start in the one call,
  // where the block layer gathers them: a cold file's page then costs the
  // disk a share of one request, not a request of its own (a chained read
  // would start later, alone, when the step before it ends).
  Outcome submit(std::size_t head_size) {
    for (unsigned k = 0; k < files.size(); ++k) {
      io_uring_sqe *open = io_uring_get_sqe(&ring);
      io_uring_prep_openat_direct(open, folders[files[k].folder]->fd, files[k].name.c_str(), kOpenFlags, 0, k);
      // A file that cannot be opened cancels its hint.
      open->flags |= IOSQE_IO_LINK;
      io_uring_sqe *advise = io_uring_get_sqe(&ring);
      // Only the first bytes are wanted: without this hint a cold file's
      // read brings in 16 KB or more of readahead (much of the disk reading
      // of an audit of /usr once its pages have left the cache).
      io_uring_prep_fadvise(advise, k, 0, 0, POSIX_FADV_RANDOM);
      advise->flags |= IOSQE_FIXED_FILE;
      open->user_data = k * kSteps + kOpen;
      advise->user_data = k * kSteps + kAdvise;
    }
    Outcome opened = run(static_cast<unsigned>(files.size()) * kEntriesPerRound);
    if (opened != Outcome::Done)
      return opened;
    unsigned reads = 0;
    for (unsigned k = 0; k < files.size(); ++k) {
      if (files[k].opened < 0)
        continue;
      io_uring_sqe *read = io_uring_get_sqe(&ring);
      io_uring_prep_read(read, k, heads.data() + k * head_size, static_cast<unsigned>(head_size), 0);
      // A hard link: the close happens whatever the read gave.
      read->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
      io_uring_sqe *close = io_uring_get_sqe(&ring);
      io_uring_prep_close_direct(close, k);
      read->user_data = k * kSteps + kRead;
      close->user_data = k * kSteps + kClose;
      ++reads;
    }
    return reads == 0 ? Outcome::Done : run(reads * kEntriesPerRound);
  }

  // Submits what is queued and waits for its EXPECTED completions.
  Outcome run(unsigned expected) {
    unsigned seen = 0;
    int submitted;
    do
      submitted = io_uring_submit_and_wait(&ring, expected);
    while (submitted == -EINTR);
    if (submitted <= 0)
      return Outcome::Refused;
    while (seen < static_cast<unsigned>(submitted)) {
      io_uring_cqe *cqe;
      int waited = io_uring_wait_cqe(&ring, &cqe);
      if (waited == -EINTR)
        continue;
      if (waited < 0)
        return Outcome::FailedInFlight;
      std::uint64_t k = cqe->user_data / kSteps;
      if (cqe->user_data % kSteps == kOpen)
        files[k].opened = cqe->res;
      else if (cqe->user_data % kSteps == kRead)
        files[k].read = cqe->res;
      io_uring_cqe_seen(&ring, cqe);
      ++seen;
    }
    return seen == expected ? Outcome::Done : Outcome::Refused;
  }
};

HeadReader::HeadReader(std::size_t head_size, FileCall on_file, ErrorCall on_error)
    : head_size_(head_size), on_file_(std::move(on_file)), on_error_(std::move(on_error)) {}

HeadReader::~HeadReader() = default;

bool HeadReader::batched() const { return batch_ != nullptr; }

void HeadReader::add(const std::shared_ptr<const OpenFolder> &folder, std::string name) {
  if (!tried_batch_) { // made on first use: a walk for folders reads no file
    tried_batch_ = true;
    if (io_uring_allowed())
      batch_ = std::make_unique<Batch>(head_size_);
    if (batch_ && !batch_->ready)
      batch_.reset();
  }
  bool new_folder = batch_ && (batch_->folders.empty() || batch_->folders.back() != folder);
  if (new_folder && batch_->folders.size() == kBatchFolders)
    flush(); // which may find the ring failed, and end the batching
  if (!batch_) {
    read_plainly(*folder, name);
    return;
  }
  if (new_folder)
    batch_->folders.push_back(folder);
  batch_->files.push_back({static_cast<unsigned>(batch_->folders.size() - 1), std::move(name)});
  if (batch_->files.size() == kBatchFiles)
    flush();
}

void HeadReader::flush() {
  if (!batch_ || batch_->files.empty())
    return;
  Batch::Outcome outcome = batch_->submit(head_size_);
  if (outcome != Batch::Outcome::Done) {
    // The ring failed (the kernel out of memory): plain calls from now on.
    std::vector<Batch::File> files = std::move(batch_->files);
    std::vector<std::shared_ptr<const OpenFolder>> folders = std::move(batch_->folders);
    if (outcome == Batch::Outcome::FailedInFlight)
      (void)batch_.release(); // left alone, buffers and all: reads may still land in them
    batch_.reset();
    for (const Batch::File &file : files)
      read_plainly(*folders[file.folder], file.name);
    return;
  }
  for (std::size_t k = 0; k < batch_->files.size(); ++k) {
    const Batch::File &file = batch_->files[k];
    const OpenFolder &folder = *batch_->folders[file.folder];
    if (file.opened < 0 || file.read < 0) {
      report(folder, file.name, file.opened < 0 ? -file.opened : -file.read);
      continue;
    }
    std::string_view head(batch_->heads.data() + k * head_size_, static_cast<std::size_t>(file.read));
    on_file_({folder, file.name.c_str(), head});
  }
  batch_->files.clear();
  batch_->folders.clear();
}

// The file's path is made here, for the few that fail.
void HeadReader::report(const OpenFolder &folder, const std::string &name, int error) const {
  if (on_error_)
    on_error_(join_path(folder.path, name), std::strerror(error));
}

void HeadReader::read_plainly(const OpenFolder &folder, const std::string &name) {
  int fd = ::openat(folder.fd, name.c_str(), kOpenFlags | O_CLOEXEC);
  if (fd < 0) {
    report(folder, name, errno);
    return;
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM); // as the batch does, see there
  head_.resize(head_size_);
  ssize_t n;
  do
    n = ::read(fd, head_.data(), head_.size());
  while (n < 0 && errno == EINTR);
  int error = errno;
  ::close(fd);
  if (n < 0) {
    report(folder, name, error);
    return;
  }
  on_file_({folder, name.c_str(), std::string_view(head_.data(), static_cast<std::size_t>(n))});
}

} // namespace abitag
