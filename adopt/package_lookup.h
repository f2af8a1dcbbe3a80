// SPDX-License-Identifier: MIT
// The installed packages as adoption reads them. Adopting a whole system
// reads and indexes every package's file list once. Adopting a few packages
// (`adopt --package`, a hook's cost on every install) reads only the lists
// it needs: the named packages', then those listing a library (by base
// name) their files load, where indexing every list would cost more than
// the rest of the run.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "packages/owner_index.h"

namespace abitag::adopt {

class PackageLookup {
public:
  // WHOLE: every list read once; else only those asked for.
  PackageLookup(std::string root, bool whole);

  // Whether ROOT has a package database.
  bool found() const { return !managers_.empty(); }
  // Every package (with its files) when whole; else an index whose packages
  // have their files when WANTED picks them (by store id or name).
  const packages::OwnerIndex &with_packages(const std::function<bool(const packages::PackageId &)> &wanted);
  // An index answering owners() for PATHS (inside the root).
  const packages::OwnerIndex &owning(const std::vector<std::string> &paths);
  // Damaged entries of the lists read (all of them when whole).
  std::vector<packages::DamagedEntry> take_problems() { return std::move(problems_); }

private:
  const packages::OwnerIndex &read(const packages::ListFilter &filter);

  std::string root_;
  std::vector<packages::Manager> managers_;
  std::optional<packages::InstalledPackages> whole_;
  // Earlier indexes stay: the packages adopted point into them.
  std::deque<packages::OwnerIndex> narrow_;
  std::vector<packages::DamagedEntry> problems_;
};

} // namespace abitag::adopt
