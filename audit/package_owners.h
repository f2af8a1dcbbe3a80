// Which installed package a file belongs to, from the dpkg database under
// ROOT (var/lib/dpkg/info/*.list), so "what to rebuild" names a package
// rather than only a file. Read once, and only when asked.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <llvm/Support/MemoryBuffer.h>

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
  // The lists as read; the map's keys are lines of them (about 170,000 on a
  // desktop system: no copy of each is made).
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> lists_;
  std::vector<std::string> packages_;
  std::unordered_map<std::string_view, std::uint32_t> owner_; // path inside ROOT -> packages_ index
  std::mutex mutex_;
};

} // namespace abitag::audit
