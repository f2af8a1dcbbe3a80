// SPDX-License-Identifier: MIT
// A recorded tag's analyzer run again as it was recorded (its options, its
// paths inside ROOT): the audit's check of installed files, and the
// preview's of an image laid over ROOT (its paths resolved in the view).
#pragma once

#include <optional>
#include <string>

#include "audit/root_view.h"
#include "tagger/store.h"

namespace abitag::audit {

// What running a tag's analyzer again gave.
struct Rerun {
  std::optional<std::string> value; // none: it could not run here
  std::string why_not;
};

// TAG (with its arguments) run again on ROOT, or on VIEW when given.
Rerun rerun(const tagger::Tag &tag, const std::string &root, const RootView *view = nullptr);

} // namespace abitag::audit
