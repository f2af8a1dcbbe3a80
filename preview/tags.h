// SPDX-License-Identifier: MIT
// The image's tags against the replaced packages' recorded ones: each
// recorded tag's analyzer run again as recorded on its paths in the view,
// else every analyzer that applies run on the image's files as adopting the
// package would run them; the locks held on a tag whose value changes are
// named: those packages "will go stale on merge".
#pragma once

#include <vector>

#include <llvm/Support/Error.h>

#include "packages/owner_index.h"
#include "preview/overlay.h"
#include "preview/preview.h"

namespace abitag::preview {

// Adds the stale-lock findings to OUT's tags section; a ROOT without a tag
// store, or a store that knows none of REPLACED, adds nothing.
llvm::Error stale_tags(const PreviewOptions &options, const Overlay &overlay,
                       const std::vector<const packages::Package *> &replaced, packages::InstalledPackages &installed,
                       PreviewReport &out);

} // namespace abitag::preview
