// SPDX-License-Identifier: MIT
// Who needs which library: the DT_NEEDED names of ROOT's ELF programs and
// libraries, read from their dynamic segments only (no symbols), so the
// dependants of a replaced library are found without linking the system.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "audit/progress.h"
#include "packages/owner_index.h"

namespace abitag::preview {

// The first bytes of the file at HOST (kHeadSize), empty when it cannot be read.
std::string first_bytes(const std::string &host);

struct Dependants {
  std::vector<std::string> paths; // inside ROOT, sorted
  std::size_t indexed = 0;        // ELF files whose needed names were read
};

// The ELF files that need, by DT_NEEDED, one of NAMES. Read are the files
// the packages of INDEX own that can be programs or libraries (a name with
// ".so" in it, or an executable file): reading the first bytes of every file
// of a system costs more than all the rest of a preview. With WHOLE_ROOT, or
// when ROOT has no package database, every ELF file under ROOT is.
Dependants files_needing(const std::string &root, const packages::OwnerIndex &index,
                         const std::set<std::string> &names, bool whole_root, audit::Progress &progress);

} // namespace abitag::preview
