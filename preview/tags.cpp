// SPDX-License-Identifier: MIT
#include "preview/tags.h"

namespace abitag::preview {

llvm::Error stale_tags(const PreviewOptions &, const Overlay &, const std::vector<const packages::Package *> &,
                       packages::InstalledPackages &, PreviewReport &) {
  return llvm::Error::success();
}

} // namespace abitag::preview
