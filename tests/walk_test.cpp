// SPDX-License-Identifier: MIT
// The tree walk (fingerprint/walk) and opening paths longer than PATH_MAX
// (fingerprint/open_path), on trees made here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <liburing.h>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "fingerprint/discover.h"
#include "fingerprint/head_reader.h"
#include "fingerprint/open_path.h"
#include "fingerprint/walk.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::test;

namespace {

constexpr int kDeep = 10000;

// DEPTH folders named "d" inside each other below DIR, with FILE_BYTES as
// "f" in the deepest; made and removed through descriptors, since their
// paths are far longer than PATH_MAX (std::filesystem cannot remove them).
class DeepTree {
public:
  DeepTree(const std::string &dir, int depth, const std::string &file_bytes) : dir_(dir), depth_(depth) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < depth && fd >= 0; ++i) {
      ::mkdirat(fd, "d", 0755);
      int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
      ::close(fd);
      fd = next;
    }
    REQUIRE(fd >= 0);
    int file = ::openat(fd, "f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(::write(file, file_bytes.data(), file_bytes.size()) == static_cast<ssize_t>(file_bytes.size()));
    ::close(file);
    ::close(fd);
  }
  ~DeepTree() {
    // Down once, then up through "..", removing as it climbs.
    int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < depth_ && fd >= 0; ++i) {
      int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
      ::close(fd);
      fd = next;
    }
    if (fd < 0)
      return;
    ::unlinkat(fd, "f", 0);
    for (int i = 0; i < depth_; ++i) {
      int up = ::openat(fd, "..", O_RDONLY | O_DIRECTORY);
      ::close(fd);
      if (up < 0)
        return;
      ::unlinkat(up, "d", AT_REMOVEDIR);
      fd = up;
    }
    ::close(fd);
  }
  std::string deepest_file() const {
    std::string path = dir_;
    for (int i = 0; i < depth_; ++i)
      path += "/d";
    return path + "/f";
  }

private:
  std::string dir_;
  int depth_;
};

} // namespace

TEST_CASE("walk order is a sorted depth-first walk's: a folder's contents follow it", "[walk]") {
  CHECK(path_order_less("a/x", "a-b"));
  CHECK(path_order_less("a", "a/x"));
  CHECK_FALSE(path_order_less("a-b", "a/x"));
  CHECK(path_order_less("a/b/c", "a/bb"));
  CHECK_FALSE(path_order_less("a", "a"));
}

TEST_CASE("a file 10,000 folders deep is found and opened, its path far past PATH_MAX", "[walk]") {
  TempDir tmp;
  std::string elf = read_file(fixture("cxxabi/new-O2/libnew.so"));
  DeepTree tree(tmp.path(), kDeep, elf);
  std::string deepest = tree.deepest_file();
  REQUIRE(deepest.size() > 4 * 4096);

  int fd = open_path(deepest, O_RDONLY);
  REQUIRE(fd >= 0);
  struct stat st;
  REQUIRE(::fstat(fd, &st) == 0);
  CHECK(static_cast<std::size_t>(st.st_size) == elf.size());
  ::close(fd);

  DiscoverOptions options;
  options.accept = [](std::string_view head) { return sniff_content(head) == ContentKind::Elf; };
  Discovery found = discover({tmp.path()}, options);
  CHECK(found.errors.empty());
  REQUIRE(found.files.size() == 1);
  CHECK(found.files[0].path == deepest);
  CHECK(found.files[0].size == elf.size());
}

TEST_CASE("a link to a folder's own parent is never followed: the walk ends", "[walk]") {
  TempDir tmp;
  std::string top = tmp.path() + "/top";
  REQUIRE(::mkdir(top.c_str(), 0755) == 0);
  REQUIRE(::mkdir((top + "/sub").c_str(), 0755) == 0);
  REQUIRE(::symlink("..", (top + "/sub/up").c_str()) == 0);
  REQUIRE(::symlink("self", (top + "/self").c_str()) == 0);
  write_file(top + "/sub/x", "not an ELF file");
  std::vector<std::string> files, links;
  WalkVisitor visitor;
  std::mutex mutex;
  visitor.file = [&](const WalkedFile &f) {
    std::lock_guard<std::mutex> lock(mutex);
    files.push_back(f.path());
  };
  visitor.link = [&](const std::string &path) {
    std::lock_guard<std::mutex> lock(mutex);
    links.push_back(path);
  };
  walk_tree(top, visitor);
  std::sort(links.begin(), links.end(), path_order_less);
  CHECK(files == std::vector<std::string>{top + "/sub/x"});
  CHECK(links == std::vector<std::string>{top + "/self", top + "/sub/up"});

  // Named on the command line, the self-link is an error naming it.
  DiscoverOptions options;
  options.accept = [](std::string_view) { return true; };
  Discovery named = discover({top + "/self"}, options);
  REQUIRE(named.errors.size() == 1);
  CHECK(named.errors[0].path == top + "/self");
  CHECK(named.errors[0].reason == "too many levels of symbolic links");
}

namespace {

// What a walk of TOP met: each file's path and head, and the errors.
struct Met {
  std::map<std::string, std::string> heads;
  std::map<std::string, std::string> errors;
  std::map<std::string, int> times_read; // by path
  std::set<std::thread::id> readers;     // the threads that read heads
  std::vector<std::string> order;        // the paths, in the order they were offered
};

Met walk_heads(const std::string &top) {
  Met met;
  std::mutex mutex;
  WalkVisitor visitor;
  visitor.file = [&](const WalkedFile &f) {
    std::lock_guard<std::mutex> lock(mutex);
    std::string path = f.path();
    met.heads[path] = std::string(f.head);
    ++met.times_read[path];
    met.readers.insert(std::this_thread::get_id());
    met.order.push_back(path);
  };
  visitor.error = [&](const std::string &path, const std::string &reason) {
    std::lock_guard<std::mutex> lock(mutex);
    met.errors[path] = reason;
  };
  walk_tree(top, visitor);
  return met;
}

// TMP/top with an empty folder SUB in it; returns TMP/top.
std::string tree_with_folder(const TempDir &tmp, const std::string &sub) {
  std::string top = tmp.path() + "/top";
  REQUIRE(::mkdir(top.c_str(), 0755) == 0);
  REQUIRE(::mkdir((top + "/" + sub).c_str(), 0755) == 0);
  return top;
}

// Whether this kernel and its seccomp filter let the process make a ring.
bool kernel_has_io_uring() {
  io_uring ring;
  if (io_uring_queue_init(8, &ring, 0) != 0)
    return false;
  bool sparse = io_uring_register_files_sparse(&ring, 8) == 0;
  io_uring_queue_exit(&ring);
  return sparse;
}

} // namespace

// The walk reads heads through io_uring in batches of 64 files, or with plain
// system calls when ABITAG_IO_URING=0 (or the kernel has no io_uring): both
// give every file's first 64 bytes, across batch boundaries, for empty, short
// and long files, in nested folders.
TEST_CASE("the walk reads the same heads through io_uring and through plain system calls", "[walk]") {
  TempDir tmp;
  std::string top = tree_with_folder(tmp, "sub");
  std::map<std::string, std::string> expected;
  std::string elf = read_file(fixture("cxxabi/new-O2/libnew.so"));
  for (int i = 0; i < 150; ++i) {
    std::string path = top + "/f" + std::to_string(i);
    std::string bytes = i % 3 == 0 ? elf.substr(i) : std::string(static_cast<std::size_t>(i), char('a' + i % 26));
    write_file(path, bytes);
    expected[path] = bytes.substr(0, 64);
  }
  write_file(top + "/sub/deeper", elf);
  expected[top + "/sub/deeper"] = elf.substr(0, 64);

  Met batched = walk_heads(top);
  CHECK(batched.errors.empty());
  CHECK(batched.heads == expected);

  ::setenv("ABITAG_IO_URING", "0", 1);
  Met plain = walk_heads(top);
  ::unsetenv("ABITAG_IO_URING");
  CHECK(plain.errors.empty());
  CHECK(plain.heads == expected);
}

namespace {

// Walks TOP through io_uring and through plain system calls: each way, every
// file of EXPECTED is read once, with its head, and nothing else.
void check_each_read_once(const std::string &top, const std::map<std::string, std::string> &expected) {
  for (const char *io_uring : {"1", "0"}) {
    ::setenv("ABITAG_IO_URING", io_uring, 1);
    Met met = walk_heads(top);
    ::unsetenv("ABITAG_IO_URING");
    INFO("io_uring " << io_uring << ", read on " << met.readers.size() << " threads");
    CHECK(met.errors.empty());
    CHECK(met.heads == expected);
    CHECK(std::all_of(met.times_read.begin(), met.times_read.end(), [](const auto &t) { return t.second == 1; }));
  }
}

} // namespace

// A large folder's files are shared out to the walking threads that are
// idle, and put in inode order a part at a time (32,768 files): each file is
// still read once, and none is left out.
TEST_CASE("the files of a large folder are each read once, however they are shared out", "[walk]") {
  TempDir tmp;
  std::string top = tree_with_folder(tmp, "small");
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 33000; ++i) {
    std::string path = top + "/f" + std::to_string(i);
    write_file(path, "file " + std::to_string(i));
    expected[path] = "file " + std::to_string(i);
  }
  write_file(top + "/small/one", "one");
  expected[top + "/small/one"] = "one";

  check_each_read_once(top, expected);
}

// A batch of files read through io_uring spans folders: each folder stays
// open until its files are read, and each file is read from its own folder
// (names repeat from folder to folder, contents do not).
TEST_CASE("files of many small folders are each read once and from their own folder", "[walk]") {
  TempDir tmp;
  std::string top = tree_with_folder(tmp, "empty");
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 300; ++i) {
    std::string folder = top + "/d" + std::to_string(i);
    REQUIRE(::mkdir(folder.c_str(), 0755) == 0);
    for (int j = 0; j < i % 4; ++j) {
      std::string path = folder + "/f" + std::to_string(j);
      write_file(path, std::to_string(i) + "." + std::to_string(j));
      expected[path] = std::to_string(i) + "." + std::to_string(j);
    }
  }
  check_each_read_once(top, expected);
}

// A batch keeps the folders of its files open, but only a few: a wide tree
// of small folders is read whole within a limit of 128 open files.
TEST_CASE("a wide tree of small folders is read within 128 open files", "[walk]") {
  TempDir tmp;
  std::string top = tree_with_folder(tmp, "empty");
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 40; ++i) {
    std::string parent = top + "/p" + std::to_string(i);
    REQUIRE(::mkdir(parent.c_str(), 0755) == 0);
    for (int j = 0; j < 40; ++j) {
      std::string folder = parent + "/d" + std::to_string(j);
      REQUIRE(::mkdir(folder.c_str(), 0755) == 0);
      write_file(folder + "/f", folder);
      expected[folder + "/f"] = folder.substr(0, 64);
    }
  }
  struct rlimit saved;
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  struct rlimit low = saved;
  low.rlim_cur = std::min<rlim_t>(saved.rlim_cur, 128);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  Met met = walk_heads(top);
  ::setrlimit(RLIMIT_NOFILE, &saved);
  CHECK(met.errors.empty());
  CHECK(met.heads == expected);
}

// A folder's files are read in the order of their inodes, which is about
// where their data lies on the disk (so that cold reads are merged), not in
// the hash order ext4's getdents gives, nor by name. (On a file system whose
// getdents gives creation order, such as tmpfs, the two orders agree.)
TEST_CASE("a folder's files are read in the order of their inodes", "[walk]") {
  TempDir tmp;
  std::string top = tree_with_folder(tmp, "sub");
  for (int i = 0; i < 200; ++i) // fewer than are ever shared out: one thread reads them
    write_file(top + "/f" + std::to_string((i * 37) % 200), "x");
  std::vector<std::pair<ino_t, std::string>> by_inode;
  for (int i = 0; i < 200; ++i) {
    std::string path = top + "/f" + std::to_string(i);
    struct stat st;
    REQUIRE(::stat(path.c_str(), &st) == 0);
    by_inode.emplace_back(st.st_ino, path);
  }
  std::sort(by_inode.begin(), by_inode.end());
  std::vector<std::string> expected;
  for (const auto &[inode, path] : by_inode)
    expected.push_back(path);

  for (const char *io_uring : {"1", "0"}) {
    ::setenv("ABITAG_IO_URING", io_uring, 1);
    Met met = walk_heads(top);
    ::unsetenv("ABITAG_IO_URING");
    INFO("io_uring " << io_uring);
    CHECK(met.errors.empty());
    CHECK(met.order == expected);
  }
}

// A file that cannot be opened fails alone: the other files of its batch are
// read, and the reason is the system's, as open(2) would give it.
TEST_CASE("a head reader names each file it cannot open and reads the rest of the batch", "[walk]") {
  TempDir tmp;
  write_file(tmp.path() + "/a", "first");
  write_file(tmp.path() + "/c", "third");
  REQUIRE(::symlink("a", (tmp.path() + "/link").c_str()) == 0);
  int fd = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(fd >= 0);
  auto folder = std::make_shared<const OpenFolder>(fd, "shown");
  for (bool batched : {true, false}) {
    if (!batched)
      ::setenv("ABITAG_IO_URING", "0", 1);
    Met met;
    HeadReader reader(
        64, [&](const WalkedFile &f) { met.heads[f.path()] = std::string(f.head); },
        [&](const std::string &path, const std::string &reason) { met.errors[path] = reason; });
    for (const char *name : {"a", "missing", "link", "c"})
      reader.add(folder, name);
    reader.flush();
    INFO((batched ? "io_uring" : "plain system calls"));
    if (batched && kernel_has_io_uring())
      CHECK(reader.batched());
    if (!batched)
      CHECK_FALSE(reader.batched());
    CHECK(met.heads == std::map<std::string, std::string>{{"shown/a", "first"}, {"shown/c", "third"}});
    CHECK(met.errors == std::map<std::string, std::string>{{"shown/missing", std::strerror(ENOENT)},
                                                            {"shown/link", std::strerror(ELOOP)}});
    ::unsetenv("ABITAG_IO_URING");
  }
}
