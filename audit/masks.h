// SPDX-License-Identifier: MIT
// Masks: what the audit cannot know from files, said by a person. In the
// spirit of revdep-rebuild's SEARCH_DIRS_MASK and LD_LIBRARY_MASK: paths
// whose findings are not reported (--exclude GLOB, "exclude GLOB" in
// ROOT's /etc/abitag/audit.conf) and sonames whose absence is expected
// ("mask-library GLOB": a library a program loads first by a path no file
// tells). A masked finding is counted, under the mask that hid it, never
// silently dropped.
#pragma once

#include <string>
#include <vector>

#include <llvm/Support/Error.h>

#include "audit/report.h"

namespace abitag::audit {

// The audit's configuration file, a path inside ROOT.
inline constexpr const char *kAuditConfPath = "/etc/abitag/audit.conf";

// Why PATTERN cannot be an exclude glob (it must be an absolute path inside
// ROOT, or start with '*'), or empty when it can.
std::string exclude_pattern_problem(const std::string &pattern);

// The masks of ROOT's audit.conf (none when it is not there), after one
// "exclude" mask per glob of EXCLUDES (from the command line). A line that
// is not a setting fails as one InputError "HOST_PATH:LINE: REASON".
llvm::Expected<std::vector<Mask>> read_masks(const std::string &root, const std::vector<std::string> &excludes);

// Takes from REPORT (the walk's and every section's findings) those a mask
// hides, counting them in the mask (the first that matches), and keeps the
// masks in REPORT.masks.
void apply_masks(AuditReport &report, std::vector<Mask> masks);

} // namespace abitag::audit
