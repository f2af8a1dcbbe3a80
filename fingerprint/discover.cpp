// SPDX-License-Identifier: MIT
#include "fingerprint/discover.h"

#include "fingerprint/folders.h"
#include "fingerprint/open_path.h"
#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"
#include "fingerprint/walk.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace abitag {
namespace {

constexpr int kMaxLinkHops = 40; // the kernel's own limit (MAXSYMLINKS)

std::string join_under(const std::string &root, const std::vector<std::string> &parts) {
  std::string out = root == "/" ? "" : root;
  for (const std::string &part : parts)
    out += "/" + part;
  return out.empty() ? "/" : out;
}


std::string absolute_path(const std::string &path) {
  if (!path.empty() && path[0] == '/')
    return path;
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd))
    return path;
  return std::string(cwd) + "/" + path;
}

// Reads the first kHeadSize bytes of a regular file, without following links.
llvm::Expected<std::string> read_head(const std::string &path) {
  int fd = open_path(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return make_error(std::strerror(errno));
  std::string head(kHeadSize, '\0');
  ssize_t n;
  do
    n = ::read(fd, head.data(), head.size());
  while (n < 0 && errno == EINTR);
  int saved = errno;
  ::close(fd);
  if (n < 0)
    return make_error(std::strerror(saved));
  head.resize(static_cast<std::size_t>(n));
  return head;
}

using FileId = std::pair<std::uint64_t, std::uint64_t>;

class Walker {
public:
  Walker(const DiscoverOptions &options, Discovery &out) : options_(options), out_(out) {}

  void named(const std::string &name);

private:
  void take_named_file(const std::string &shown, const std::string &real, const struct stat &st);
  void take(InputFile file);
  void walk(const std::string &shown_top, const std::string &real_top);
  void note_link(const std::string &shown, const std::string &real, const std::string &abs_top);

  const DiscoverOptions &options_;
  Discovery &out_;
  std::set<FileId> seen_files_;
};

void Walker::named(const std::string &name) {
  struct stat st;
  if (lstat_path(name, &st) != 0) {
    out_.errors.push_back({name, std::strerror(errno)});
    return;
  }
  std::string real = name;
  if (S_ISLNK(st.st_mode)) {
    std::string target = read_link_path(name);
    std::string start;
    if (!target.empty() && target[0] == '/')
      start = target;
    else
      start = absolute_path(parent_dir(name)) + "/" + target;
    // A relative target of a link inside the root stays inside it; outside
    // the root the link is resolved as the system would.
    std::string root = options_.root;
    std::string abs_start = start;
    if (target.empty() || target[0] != '/') {
      std::string canon_root = root;
      if (char *r = ::realpath(root.c_str(), nullptr)) {
        canon_root = r;
        std::free(r);
      }
      std::string parent = absolute_path(parent_dir(name));
      if (char *p = ::realpath(parent.c_str(), nullptr)) {
        parent = p;
        std::free(p);
      }
      bool inside = canon_root == "/" || parent == canon_root ||
                    parent.compare(0, canon_root.size() + 1, canon_root + "/") == 0;
      if (inside && canon_root != "/") {
        root = canon_root;
        abs_start = parent.substr(canon_root.size()) + "/" + target;
      } else {
        root = "/";
      }
    }
    auto resolved = resolve_under_root(root, abs_start);
    if (!resolved) {
      out_.errors.push_back({name, to_message(resolved.takeError())});
      return;
    }
    real = *resolved;
    if (stat_path(real, &st) != 0) {
      out_.errors.push_back({name, std::strerror(errno)});
      return;
    }
  }
  if (S_ISDIR(st.st_mode))
    walk(name, real);
  else if (S_ISREG(st.st_mode))
    take_named_file(name, real, st);
  else
    out_.errors.push_back({name, "not a regular file or directory"});
}

void Walker::take(InputFile file) {
  if (seen_files_.insert({file.device, file.inode}).second)
    out_.files.push_back(std::move(file));
  // else a hard link to a file already taken
}

// A file named on the command line must be one the analyzer wants.
void Walker::take_named_file(const std::string &shown, const std::string &real, const struct stat &st) {
  auto head = read_head(real);
  if (!head)
    out_.errors.push_back({shown, to_message(head.takeError())});
  else if (!options_.accept(*head))
    out_.errors.push_back({shown, options_.wanted.empty() ? "not a file abitag can read" : options_.wanted});
  else
    take({shown, real, static_cast<std::uint64_t>(st.st_size), static_cast<std::uint64_t>(st.st_dev),
          static_cast<std::uint64_t>(st.st_ino), std::move(*head)});
}

void Walker::note_link(const std::string &shown, const std::string &real, const std::string &abs_top) {
  std::string target = read_link_path(real);
  std::string start;
  std::string root = options_.root;
  if (!target.empty() && target[0] == '/') {
    start = target;
  } else {
    root = "/";
    start = absolute_path(parent_dir(real)) + "/" + target;
  }
  auto resolved = resolve_under_root(root, start);
  if (!resolved) {
    std::string why = to_message(resolved.takeError());
    if (why.find("too many levels") != std::string::npos)
      out_.links.push_back({shown, "link loop (" + target + ")"});
    else
      out_.links.push_back({shown, "dangling link to " + target});
    return;
  }
  std::string abs_resolved = *resolved;
  if (char *t = ::realpath(abs_resolved.c_str(), nullptr)) {
    abs_resolved = t;
    std::free(t);
  }
  if (abs_resolved != abs_top &&
      abs_resolved.compare(0, abs_top.size() + 1, abs_top + "/") != 0)
    out_.links.push_back({shown, "link to " + target + " outside the walked tree, not followed"});
}

// What the walk of one named folder found, gathered from every thread.
struct TreeFinds {
  std::mutex mutex;
  std::vector<InputFile> files;
  std::vector<std::string> links;
  std::vector<InputError> errors;
  std::atomic<std::size_t> other{0}; // files not wanted: most of a system's
};

// Keeps one walked file the analyzer wants, as an InputFile, or the reason
// it cannot be read. PATH is where it is, SHOWN its path as reports name it.
void keep_walked_file(const WalkedFile &file, std::string path, std::string shown, const DiscoverOptions &options,
                      TreeFinds &finds) {
  struct stat st;
  // The file the head came from, unless it was replaced since (its reader
  // then finds out what it is, or that it is a link now).
  const char *why_not = ::fstatat(file.folder.fd, file.name, &st, AT_SYMLINK_NOFOLLOW) != 0
                            ? std::strerror(errno) // before the lock and the path's allocation touch errno
                        : S_ISREG(st.st_mode) ? nullptr
                                              : "replaced during the walk by a link or folder";
  if (why_not) {
    std::lock_guard<std::mutex> lock(finds.mutex);
    finds.errors.push_back({std::move(shown), why_not});
    return;
  }
  InputFile kept{std::move(shown), std::move(path), static_cast<std::uint64_t>(st.st_size),
                 static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                 std::string(file.head)};
  if (options.kept)
    options.kept(kept);
  std::lock_guard<std::mutex> lock(finds.mutex);
  finds.files.push_back(std::move(kept));
}

// Walks a named folder on all cores (walk.h), keeping the files the analyzer
// wants, then puts what was found in the order of a sorted depth-first walk,
// so the same tree always gives the same report.
void Walker::walk(const std::string &shown_top, const std::string &real_top) {
  // A folder named with trailing slashes ("dir/") is the same folder: its
  // files' paths start with its name and one slash.
  std::size_t top_length = real_top.find_last_not_of('/') + 1;
  auto shown_of = [&](const std::string &real) {
    std::size_t skip = top_length == 0 ? 1 : top_length + 1;
    return join_path(shown_top, real.substr(std::min(skip, real.size())));
  };
  TreeFinds finds;
  WalkVisitor visitor;
  visitor.head_size = kHeadSize;
  visitor.enter = options_.enter;
  visitor.file = [&](const WalkedFile &file) {
    if (options_.seen)
      options_.seen();
    if (!options_.accept(file.head)) { // most files: nothing allocated for them
      finds.other.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::string path = file.path();
    keep_walked_file(file, path, shown_of(path), options_, finds);
  };
  if (options_.note_links)
    visitor.link = [&](const std::string &path) {
      std::lock_guard<std::mutex> lock(finds.mutex);
      finds.links.push_back(path);
    };
  visitor.error = [&](const std::string &path, const std::string &reason) {
    std::lock_guard<std::mutex> lock(finds.mutex);
    finds.errors.push_back({shown_of(path), reason});
  };
  visitor.one_file_system = options_.one_file_system;
  if (options_.other_device)
    visitor.other_device = [&](const std::string &path) { options_.other_device(shown_of(path)); };
  walk_tree(real_top, visitor);

  auto by_path = [](const auto &a, const auto &b) { return path_order_less(a.path, b.path); };
  std::sort(finds.files.begin(), finds.files.end(), by_path);
  std::sort(finds.errors.begin(), finds.errors.end(), by_path);
  std::sort(finds.links.begin(), finds.links.end(), path_order_less);
  for (InputFile &file : finds.files)
    take(std::move(file));
  for (InputError &error : finds.errors)
    out_.errors.push_back(std::move(error));
  std::string abs_top = absolute_path(real_top); // the same for every link
  if (char *t = ::realpath(abs_top.c_str(), nullptr)) {
    abs_top = t;
    std::free(t);
  }
  for (const std::string &link : finds.links)
    note_link(shown_of(link), link, abs_top);
  out_.other_files += finds.other;
}

} // namespace

ContentKind sniff_content(std::string_view head) {
  if (head.size() >= 4 && head.substr(0, 4) == "\x7f" "ELF")
    return ContentKind::Elf;
  if (head.size() >= 8 && head.substr(0, 8) == "!<arch>\n")
    return ContentKind::Archive;
  if (head.size() >= 8 && head.substr(0, 8) == "!<thin>\n")
    return ContentKind::ThinArchive;
  return ContentKind::Other;
}

// Walks PATH a component at a time from an open folder (openat, fstatat,
// readlinkat), so each step looks up one name whatever the depth, and ".."
// at the root stays there. One loop of about 65 lines: every branch moves the
// same three things (the open folder, the components done, those pending),
// which split functions would all have to pass around.
llvm::Expected<std::string> resolve_under_root(const std::string &root, const std::string &path) {
  int root_fd = open_path(root, O_PATH | O_DIRECTORY);
  if (root_fd < 0)
    return make_error(std::string(std::strerror(errno)) + " (" + root + ")");
  int dir = ::dup(root_fd); // the folder DONE names
  std::vector<std::string> pending = split_path(path);
  std::reverse(pending.begin(), pending.end()); // a stack: next component at the back
  std::vector<std::string> done;
  int hops = 0;
  auto fail = [&](const std::string &reason) {
    ::close(dir);
    ::close(root_fd);
    return make_error(reason);
  };
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == ".")
      continue;
    if (part == "..") {
      if (done.empty())
        continue;
      done.pop_back();
      int up = ::openat(dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      ::close(dir);
      dir = up;
      if (dir < 0)
        return fail(std::string(std::strerror(errno)) + " (" + join_under(root, done) + ")");
      continue;
    }
    done.push_back(part);
    struct stat st;
    if (::fstatat(dir, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return fail(std::string(std::strerror(errno)) + " (" + join_under(root, done) + ")");
    if (S_ISLNK(st.st_mode)) {
      if (++hops > kMaxLinkHops)
        return fail("too many levels of symbolic links");
      std::string target(PATH_MAX, '\0');
      ssize_t n = ::readlinkat(dir, part.c_str(), target.data(), target.size());
      target.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
      done.pop_back();
      if (!target.empty() && target[0] == '/') {
        done.clear();
        ::close(dir);
        dir = ::dup(root_fd);
      }
      std::vector<std::string> more = split_path(target);
      for (auto it = more.rbegin(); it != more.rend(); ++it)
        pending.push_back(*it);
      continue;
    }
    if (pending.empty())
      break;
    if (!S_ISDIR(st.st_mode))
      return fail(std::string(std::strerror(ENOTDIR)) + " (" + join_under(root, done) + ")");
    int next = ::openat(dir, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    ::close(dir);
    dir = next;
    if (dir < 0)
      return fail(std::string(std::strerror(errno)) + " (" + join_under(root, done) + ")");
  }
  ::close(dir);
  ::close(root_fd);
  return join_under(root, done);
}

Discovery discover(const std::vector<std::string> &paths, const DiscoverOptions &options) {
  Discovery out;
  Walker walker(options, out);
  for (const std::string &path : paths)
    walker.named(path);
  return out;
}

nlohmann::ordered_json skipped_links_json(const std::vector<SkippedLink> &links) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const SkippedLink &link : links)
    out.push_back({{"path", link.path}, {"what", link.what}});
  return out;
}

void add_discovery_json(nlohmann::ordered_json &doc, const std::vector<SkippedLink> &links,
                        std::size_t other_files) {
  doc["skipped_links"] = skipped_links_json(links);
  doc["other_files"] = other_files;
}

void for_each_file_largest_first(const std::vector<InputFile> &files, const std::function<void(std::size_t)> &body) {
  std::vector<std::uint64_t> sizes;
  for (const InputFile &file : files)
    sizes.push_back(file.size);
  std::vector<std::size_t> order = largest_first(sizes);
  parallel_for(order.size(), [&](std::size_t n) { body(order[n]); });
}

RootedDiscovery discover_under_root(const std::vector<std::string> &paths, const std::string &root,
                                    std::function<bool(std::string_view head)> accept, std::string wanted) {
  RootedDiscovery out;
  out.root = real_path(root);
  if (out.root.empty()) {
    out.found.errors.push_back({root, std::strerror(errno)});
    return out;
  }
  DiscoverOptions options;
  options.root = root;
  options.accept = std::move(accept);
  options.wanted = std::move(wanted);
  out.found = discover(paths, options);
  return out;
}

} // namespace abitag
