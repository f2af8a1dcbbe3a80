// SPDX-License-Identifier: MIT
// pacman's local database (Arch Linux and its derivatives), read under a root:
// var/lib/pacman/local/, one NAME-VERSION folder per installed package.
#pragma once

#include <string>

#include <llvm/Support/Error.h>

#include "packages/database.h"

namespace abitag::packages {

// Whether ROOT holds a pacman local database: var/lib/pacman/local/ALPM_DB_VERSION.
bool has_pacman(const std::string &root);

// Reads every package of ROOT's pacman local database: its desc (identity,
// %BASE%, %DEPENDS%), its files list and, when there, its mtree (which file
// is a symbolic link, and to what). An error when the database cannot be
// listed or is not the version abitag reads; a package folder that cannot be
// read whole (a desc without %NAME%, no files list) is a damaged entry and
// the other packages are still read.
llvm::Expected<Database> read_pacman(const std::string &root);

} // namespace abitag::packages
