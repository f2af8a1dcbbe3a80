// SPDX-License-Identifier: MIT
// The one command that reinstalls or rebuilds a set of installed packages,
// in each manager's spec syntax (doc: the "Packages" section of README.md):
//   cave    cave resolve --execute --preserve-world '=cat/pkg-1.2:0' (never an ::installed spec)
//   emerge  emerge --oneshot '=cat/pkg-1.2-r1'
//   pacman  pacman -S name          (reinstalls the repository's binary; a rebuild is makepkg of %BASE%)
//   dnf     dnf reinstall name-1:1.2-3.x86_64 (the same; a rebuild is rpmbuild of SOURCERPM)
//   apt     apt-get install --reinstall name:arch=1.2-3 (the same; a rebuild is apt-get source)
//   lines   one package a line, as the manager names it
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "packages/owner_index.h"
#include "packages/store_ids.h"

namespace abitag::packages {

// "cave", "emerge", "pacman", "dnf", "apt", "lines".
const std::vector<std::string> &spec_format_names();

// WORD, quoted for a POSIX shell when it needs it.
std::string shell_word(const std::string &word);

// ID as FORMAT's command names it (unquoted).
std::string package_spec(const PackageId &id, std::string_view format);

// The command line (with its newline) for PACKAGES in FORMAT, or for lines
// one a line; empty when there are none.
std::string rebuild_command(const std::vector<PackageId> &packages, std::string_view format);
// The same for specs already in FORMAT's syntax.
std::string rebuild_command(const std::vector<std::string> &specs, std::string_view format);

} // namespace abitag::packages
