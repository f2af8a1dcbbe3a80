// SPDX-License-Identifier: MIT
// Which installed packages a free-form package id names: a tag store's id
// (what `abitag adopt`, the hooks and the exlibs record), or one a person
// typed for `abitag files`. The rule, stated in README's "Packages" section
// and the man page too:
//
// An id is compared with a manager's database only when it has the shape of
// that manager's names, so that an Exherbo id on a Debian system is not
// "uninstalled" there, merely not dpkg's to judge:
//   - with a '/': VDB and exndbam. "CAT/PN" names every slot of CAT/PN,
//     "CAT/PN:SLOT" one slot (a VDB sub-slot given or not), "CAT/PN-VERSION"
//     and "CAT/PN-VERSION:SLOT" that version (VDB's PVR, "1.2-r1"); a
//     leading "=" and a trailing "::REPOSITORY" are ignored.
//   - without one: dpkg ("NAME", every architecture, or "NAME:ARCH" with ARCH
//     the package's Architecture, which starts with a letter in every Debian
//     architecture, where "foo:0" is a slot), pacman ("NAME") and rpm
//     ("NAME" or "NAME.ARCH"), these two taking no ':'.
#pragma once

#include <string_view>
#include <vector>

#include "packages/owner_index.h"

namespace abitag::packages {

// Whether ID has the shape of a MANAGER package name (the rule above).
bool can_name(Manager manager, std::string_view id);

// Whether ID names the package PACKAGE.
bool names_package(std::string_view id, const PackageId &package);

// The installed packages ID names, in database order; empty when none.
std::vector<const Package *> packages_for_id(const OwnerIndex &index, std::string_view id);

// Whether ID is installed as far as the databases of INDEX can tell.
struct Installation {
  // The managers whose databases could name ID.
  std::vector<Manager> judged_by;
  bool listed = false; // one of them lists a package ID names
  // Listed nowhere by a database that could list it: the store and the
  // package manager disagree. An id no database here could name is taken
  // as installed, as it was before abitag read the databases.
  bool not_installed() const { return !judged_by.empty() && !listed; }
};
Installation installation(const OwnerIndex &index, std::string_view id);

} // namespace abitag::packages
