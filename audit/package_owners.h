// Which installed package a file belongs to, from the dpkg database under
// ROOT (var/lib/dpkg/info/*.list), so "what to rebuild" names a package
// rather than only a file. Read once, and only when asked.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

namespace abitag::audit {

class PackageOwners {
public:
  explicit PackageOwners(std::string root) : root_(std::move(root)) {}

  // "PATH (package NAME)" when dpkg lists PATH (inside ROOT), else PATH.
  std::string describe(const std::string &path);

private:
  void load();

  std::string root_;
  bool loaded_ = false;
  std::map<std::string, std::string> owner_; // canonical path inside ROOT -> package
  std::mutex mutex_;
};

} // namespace abitag::audit
