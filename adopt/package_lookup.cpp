// SPDX-License-Identifier: MIT
#include "adopt/package_lookup.h"

#include <set>

#include "fingerprint/errors.h"

namespace abitag::adopt {

PackageLookup::PackageLookup(std::string root, bool whole)
    : root_(std::move(root)), managers_(packages::detect(root_)) {
  if (whole) {
    whole_.emplace(root_);
    problems_ = whole_->problems();
  }
}

const packages::OwnerIndex &PackageLookup::read(const packages::ListFilter &filter) {
  std::vector<packages::Database> databases;
  for (packages::Manager manager : managers_) {
    llvm::Expected<packages::Database> database = packages::read_database(root_, manager, filter);
    if (!database) {
      problems_.push_back({std::string(packages::manager_name(manager)), to_message(database.takeError())});
      continue;
    }
    if (filter.wanted) // the lists read for their owners: damage is reported when they are adopted
      problems_.insert(problems_.end(), database->damaged.begin(), database->damaged.end());
    databases.push_back(std::move(*database));
  }
  return narrow_.emplace_back(std::move(databases), packages::RootAliases::read(root_));
}

const packages::OwnerIndex &
PackageLookup::with_packages(const std::function<bool(const packages::PackageId &)> &wanted) {
  if (whole_)
    return whole_->index();
  return read({wanted, {}});
}

const packages::OwnerIndex &PackageLookup::owning(const std::vector<std::string> &paths) {
  if (whole_)
    return whole_->index();
  std::set<std::string> names;
  for (const std::string &path : paths)
    names.insert(path.substr(path.rfind('/') + 1));
  // A dpkg diversion puts a package's copy of a path under another name.
  std::vector<std::string> file_names(names.begin(), names.end());
  const packages::OwnerIndex &first = read({nullptr, file_names});
  for (const packages::Database &database : first.databases())
    for (const packages::Diversion &diversion : database.diversions)
      if (names.count(diversion.diverted_to.substr(diversion.diverted_to.rfind('/') + 1)))
        names.insert(diversion.path.substr(diversion.path.rfind('/') + 1));
  if (names.size() == file_names.size())
    return first;
  return read({nullptr, std::vector<std::string>(names.begin(), names.end())});
}

} // namespace abitag::adopt
