// SPDX-License-Identifier: MIT
#include "fingerprint/walk.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include "fingerprint/open_path.h"
#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"

namespace abitag {
namespace {

// A folder stays open (an OpenFolder, see head_reader.h) while its
// sub-folders are still to be read, as they are opened relative to it (a
// folder costs one path component to look up however deep it lies), and
// while its files are.

struct NamedFile {
  std::string name; // in its folder
  ino_t inode;
};

// Work for a walking thread: a folder to read, or the heads of some files
// of a folder another thread is reading.
struct Folder {
  std::string path;
  int depth = 0;
  std::shared_ptr<const OpenFolder> parent; // null: open by path
  // Non-empty: not a folder to read, but these files of PARENT to read the heads of.
  std::vector<NamedFile> files;
};

// Files of one folder handed to another thread at a time (when one waits
// for work): /usr/share/man/man1 alone holds 17,000 of the 157,000 files
// under /usr, and read by one thread it was the walk's last tenth of a second.
constexpr std::size_t kFilesHandedOver = 256;

// Files of one folder put in the order of their inodes together (see
// read_folder_files), at most: what a walk holds of a folder stays bounded
// however many files it has.
constexpr std::size_t kFilesSortedTogether = 32768;

// Folders still to read, shared by the walking threads. Last in, first out:
// the walk stays deep rather than wide, so the queue holds about one
// folder's worth of siblings per level rather than a whole level of the tree.
class FolderQueue {
public:
  explicit FolderQueue(Folder top) { pending_.push_back(std::move(top)); }

  // The next folder, or false when every folder has been read. When there
  // is none yet, BEFORE_WAITING is called first (without the lock).
  bool take(Folder &out, const std::function<void()> &before_waiting) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (pending_.empty() && busy_ > 0) {
      lock.unlock();
      before_waiting();
      lock.lock();
    }
    ++waiting_;
    ready_.wait(lock, [&] { return !pending_.empty() || busy_ == 0; });
    --waiting_;
    if (pending_.empty())
      return false;
    out = std::move(pending_.back());
    pending_.pop_back();
    ++busy_;
    return true;
  }

  void done(std::vector<Folder> &found) {
    std::lock_guard<std::mutex> lock(mutex_);
    // Reversed, so the first name in a folder is read first.
    for (auto it = found.rbegin(); it != found.rend(); ++it)
      pending_.push_back(std::move(*it));
    --busy_;
    ready_.notify_all();
  }

  // Queues WORK if a thread is waiting for work that nothing queued will
  // give it; false, and WORK untouched, otherwise: then the caller does it,
  // and the queue never holds more of a large folder than there are threads.
  bool hand_over(Folder &work) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiting_ <= pending_.size())
      return false;
    pending_.push_back(std::move(work));
    ready_.notify_one();
    return true;
  }

  // Whether the folder (device, inode) is met for the first time.
  bool first_visit(dev_t device, ino_t inode) {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_.insert({device, inode}).second;
  }

private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Folder> pending_;
  std::size_t busy_ = 0;
  std::size_t waiting_ = 0; // threads in take()
  std::set<std::pair<dev_t, ino_t>> seen_;
};

unsigned char type_of(int dir, const char *name, unsigned char reported) {
  if (reported != DT_UNKNOWN)
    return reported;
  struct stat st;
  if (::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return DT_UNKNOWN;
  if (S_ISDIR(st.st_mode))
    return DT_DIR;
  if (S_ISREG(st.st_mode))
    return DT_REG;
  if (S_ISLNK(st.st_mode))
    return DT_LNK;
  return DT_UNKNOWN; // sockets, fifos, devices: never opened
}

int open_folder(const Folder &folder) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  if (folder.parent) {
    std::size_t slash = folder.path.rfind('/');
    int fd = ::openat(folder.parent->fd, folder.path.c_str() + slash + 1, kFlags);
    if (fd >= 0 || (errno != EMFILE && errno != ENFILE))
      return fd;
    // Out of descriptors (a tree both wide and deep): fall back to the path.
  }
  return open_path(folder.path, kFlags);
}

// Queues the heads of FILES, in the folder SELF, to be read (in a batch that
// may hold files of other folders: it keeps this one open).
void queue_heads(const std::shared_ptr<const OpenFolder> &self, std::vector<NamedFile> &files, HeadReader &heads) {
  for (NamedFile &file : files)
    heads.add(self, std::move(file.name));
  files.clear();
}

// Queues the heads of a folder's FILES to be read, sharing them out to threads waiting
// for work. In the order of their inodes: a file system lays out the data of
// files made one after the other (a package unpacked) in that order too, so
// when their pages have left the cache, reads that follow each other on the
// disk are merged into one request. (getdents gives names in hash order on
// ext4.)
void read_folder_files(const Folder &folder, const std::shared_ptr<const OpenFolder> &self,
                       std::vector<NamedFile> &files, FolderQueue &queue, HeadReader &heads) {
  std::sort(files.begin(), files.end(), [](const NamedFile &a, const NamedFile &b) { return a.inode < b.inode; });
  for (std::size_t start = 0; start < files.size(); start += kFilesHandedOver) {
    auto first = files.begin() + static_cast<std::ptrdiff_t>(start);
    auto last = files.begin() + static_cast<std::ptrdiff_t>(std::min(start + kFilesHandedOver, files.size()));
    Folder share{folder.path, folder.depth, self, {std::make_move_iterator(first), std::make_move_iterator(last)}};
    if (last == files.end() || !queue.hand_over(share))
      queue_heads(self, share.files, heads);
  }
  files.clear();
}

// Whether the folder NAME in DIR lies on another file system than DEVICE.
// Looked at before it is opened: opening an automount point mounts it.
bool on_other_device(int dir, const char *name, dev_t device) {
  struct stat st;
  return ::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) == 0 && st.st_dev != device;
}

// Reads one folder: offers its files and links, returns its sub-folders.
// TOP_DEVICE is the file system of the walk's top (WalkVisitor::one_file_system).
// About 70 lines, kept whole: it is the walk's inner loop over every entry of
// a system, and its state (the buffer, the open folder shared with other
// threads, the files and folders found) would otherwise be passed around.
void read_folder(const Folder &folder, const WalkVisitor &visitor, dev_t top_device, FolderQueue &queue,
                 HeadReader &heads, std::vector<Folder> &found) {
  int fd = open_folder(folder);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (visitor.error)
      visitor.error(folder.path, std::strerror(errno));
    if (fd >= 0)
      ::close(fd);
    return;
  }
  if (!queue.first_visit(st.st_dev, st.st_ino)) {
    ::close(fd);
    return;
  }
  // getdents64 on the descriptor itself: fdopendir would stat the folder
  // and fcntl it once more, two system calls of 18,000 folders under /usr.
  alignas(dirent64) char buffer[32768];
  // Kept open by the files handed over to other threads, and by the sub-folders.
  std::shared_ptr<const OpenFolder> self = std::make_shared<const OpenFolder>(fd, folder.path);
  std::vector<NamedFile> files;
  while (true) {
    ssize_t n = ::getdents64(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n < 0 && visitor.error)
        visitor.error(folder.path, std::strerror(errno));
      break;
    }
    for (ssize_t at = 0; at < n;) {
      const auto *entry = reinterpret_cast<const dirent64 *>(buffer + at);
      at += entry->d_reclen;
      std::string_view name = entry->d_name;
      if (name == "." || name == "..")
        continue;
      switch (type_of(fd, entry->d_name, entry->d_type)) {
      case DT_DIR:
        if (visitor.enter && !visitor.enter(folder.path, name, folder.depth + 1))
          break;
        if (visitor.one_file_system && on_other_device(fd, entry->d_name, top_device)) {
          if (visitor.other_device)
            visitor.other_device(join_path(folder.path, entry->d_name));
          break;
        }
        found.push_back({join_path(folder.path, entry->d_name), folder.depth + 1, nullptr, {}});
        break;
      case DT_REG:
        if (!visitor.file)
          break;
        files.push_back({entry->d_name, entry->d_ino});
        if (files.size() == kFilesSortedTogether) // a huge folder: a part at a time
          read_folder_files(folder, self, files, queue, heads);
        break;
      case DT_LNK:
        if (visitor.link)
          visitor.link(join_path(folder.path, entry->d_name));
        break;
      default:
        break;
      }
    }
  }
  read_folder_files(folder, self, files, queue, heads);
  for (Folder &sub : found)
    sub.parent = self;
  std::sort(found.begin(), found.end(),
            [](const Folder &a, const Folder &b) { return path_order_less(a.path, b.path); });
}

} // namespace

void walk_tree(const std::string &top, const WalkVisitor &visitor) {
  struct stat top_stat {};
  if (visitor.one_file_system && stat_path(top, &top_stat) != 0)
    top_stat.st_dev = 0; // reported when the walk opens it
  FolderQueue queue({top, 0, nullptr, {}});
  auto work = [&] {
    Folder folder;
    std::vector<Folder> found;
    HeadReader heads(visitor.head_size, visitor.file, visitor.error);
    // A thread's files are read in batches across folders, the last one
    // when there is nothing else to do.
    const std::function<void()> flush = [&] { heads.flush(); };
    while (queue.take(folder, flush)) {
      found.clear();
      if (folder.files.empty())
        read_folder(folder, visitor, top_stat.st_dev, queue, heads, found);
      else // a share of a large folder's files
        queue_heads(folder.parent, folder.files, heads);
      queue.done(found);
    }
    heads.flush();
  };
  std::vector<std::thread> helpers = start_helpers(io_threads() - 1, work);
  work();
  for (std::thread &helper : helpers)
    helper.join();
}

bool path_order_less(std::string_view a, std::string_view b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] == b[i])
      continue;
    // A separator sorts before any character of a name.
    unsigned char x = a[i] == '/' ? 0 : static_cast<unsigned char>(a[i]);
    unsigned char y = b[i] == '/' ? 0 : static_cast<unsigned char>(b[i]);
    return x < y;
  }
  return a.size() < b.size();
}

} // namespace abitag
