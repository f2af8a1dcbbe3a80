// SPDX-License-Identifier: MIT
// rpm's database (Fedora, RHEL, openSUSE), read under a root through librpm.
#pragma once

#include <string>

#include <llvm/Support/Error.h>

#include "packages/database.h"

namespace abitag::packages {

// Whether ROOT holds an rpm database: rpmdb.sqlite (or BerkeleyDB's Packages,
// or ndb's Packages.db) in usr/lib/sysimage/rpm (Fedora 36 and later,
// openSUSE) or var/lib/rpm.
bool has_rpm(const std::string &root);

// Reads every package of ROOT's rpm database, opened read-only: NAME,
// [EPOCH:]VERSION-RELEASE, ARCH, SOURCERPM, the Requires, and the files
// with their types and link targets. One error naming the database when it
// is missing, cannot be opened or is damaged as a whole; a header rpm skips
// as damaged is a damaged entry and the other packages are still read.
llvm::Expected<Database> read_rpm(const std::string &root);

} // namespace abitag::packages
