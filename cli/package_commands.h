// SPDX-License-Identifier: MIT
// The package-database commands: `owner PATH...` (as dpkg -S, pacman -Qo,
// rpm -qf, cave owner, qfile) and `files PKG...` (as dpkg -L, pacman -Ql,
// rpm -ql, cave contents). Their options and printing; the reading is in packages/.
#pragma once

#include <memory>
#include <vector>

#include "fingerprint/analyzer.h"
#include "packages/owner_index.h"

namespace abitag::cli {

std::vector<std::unique_ptr<Command>> make_package_commands();

// --root DIR and --package-manager NAME, as owner and files take them.
void add_package_database_options(CLI::App &command, std::string &root, std::string &manager);

// The package databases under ROOT, read, and the index over them: MANAGER's
// (exit 3 when it is not there), or every one found there (none: exit 3,
// or an empty index when ALLOW_NONE). Damaged entries stay in each
// database's `damaged`.
llvm::Expected<packages::OwnerIndex> read_package_index(const std::string &root, const std::string &manager,
                                                        bool allow_none);

// Each damaged entry of INDEX's databases as "abitag: ENTRY: REASON" on
// stderr; whether there was one.
bool report_damage(const packages::OwnerIndex &index);

} // namespace abitag::cli
