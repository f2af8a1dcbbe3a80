// Which installed package a file belongs to, from the dpkg database under
// ROOT (var/lib/dpkg/info/*.list), so "what to rebuild" names a package
// rather than only a file. Read once, and only when asked.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace abitag::audit {

class PackageOwners {
public:
  explicit PackageOwners(std::string root) : root_(std::move(root)) {}
  ~PackageOwners();
  PackageOwners(const PackageOwners &) = delete;
  PackageOwners &operator=(const PackageOwners &) = delete;

  // Starts reading the database on a thread of its own, so it comes from the
  // disk while the walk goes on rather than after it (when no thread can
  // start, the first describe() reads it).
  void load_ahead();
  // Waits for load_ahead's thread to end, if there is one.
  void wait_ahead();
  // "PATH (package NAME)" when dpkg lists PATH (inside ROOT), else PATH.
  std::string describe(const std::string &path);

private:
  void load();
  const std::string *owner_of(std::string_view path) const; // null: no list names it

  std::string root_;
  bool loaded_ = false;
  std::vector<std::string> packages_;
  // Every path the lists name (about 200,000 on a desktop system), as a
  // 64-bit hash beside its package, sorted: 12 bytes a path where a map of
  // the lines held the lists themselves and a node each (30 MB). Two paths
  // share a hash with a chance near 1 in 10^8, and then one is described
  // with the other's package: a description, never a verdict.
  struct Owner {
    std::uint64_t hash;
    std::uint32_t package; // packages_ index
  };
  std::vector<Owner> owners_;
  std::mutex mutex_;
  std::thread ahead_;

  static void add_list(std::string_view text, std::uint32_t package, std::vector<Owner> &out);
};

} // namespace abitag::audit
