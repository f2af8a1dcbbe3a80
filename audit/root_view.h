// SPDX-License-Identifier: MIT
// ROOT seen through another layout than its own folders: a package image
// laid over it as the merge would lay it (preview/overlay.h). The ELF scan
// and the loader resolve their paths inside ROOT through a view when one is
// given, so a merge can be linked before it is made, without copying.
#pragma once

#include <string>

#include <llvm/Support/Error.h>

namespace abitag::audit {

class RootView {
public:
  virtual ~RootView() = default;
  // The host path of the file PATH (absolute, inside ROOT) names in the
  // view, every link followed inside the view; an error when it is not there.
  virtual llvm::Expected<std::string> resolve(const std::string &path) const = 0;
  // The path inside ROOT of a host path resolve() gave.
  virtual std::string inside(const std::string &host_path) const = 0;
};

} // namespace abitag::audit
