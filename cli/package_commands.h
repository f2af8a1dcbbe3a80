// The package-database commands: `owner PATH...` (as dpkg -S, pacman -Qo,
// rpm -qf, cave owner, qfile) and `files PKG...` (as dpkg -L, pacman -Ql,
// rpm -ql, cave contents). Their options and printing; the reading is in packages/.
#pragma once

#include <memory>
#include <vector>

#include "fingerprint/analyzer.h"

namespace abitag::cli {

std::vector<std::unique_ptr<Command>> make_package_commands();

} // namespace abitag::cli
