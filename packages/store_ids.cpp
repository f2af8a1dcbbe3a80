// SPDX-License-Identifier: MIT
#include "packages/store_ids.h"

namespace abitag::packages {
namespace {

// ID without the decorations a Gentoo or Exherbo spec may carry: a leading
// "=" and a trailing "::REPOSITORY".
std::string_view bare_spec(std::string_view id) {
  if (id.substr(0, 1) == "=")
    id.remove_prefix(1);
  if (std::size_t repository = id.find("::"); repository != std::string_view::npos)
    id = id.substr(0, repository);
  return id;
}

// "CAT/PN[-VERSION][:SLOT]" against a VDB or exndbam package.
bool names_slotted(std::string_view id, const PackageId &package) {
  id = bare_spec(id);
  std::size_t colon = id.find(':', id.find('/'));
  std::string_view slot = colon == std::string_view::npos ? std::string_view() : id.substr(colon + 1);
  std::string_view name = id.substr(0, colon);
  std::string_view package_slot = package.slot;
  if (colon != std::string_view::npos && slot != package_slot &&
      slot != package_slot.substr(0, package_slot.find('/')))
    return false;
  if (name == package.name)
    return true;
  // CAT/PN-VERSION: compared whole, so no version needs parsing.
  return name.size() == package.name.size() + 1 + package.version.size() &&
         name.substr(0, package.name.size()) == package.name && name[package.name.size()] == '-' &&
         name.substr(package.name.size() + 1) == package.version;
}

} // namespace

bool can_name(Manager manager, std::string_view id) {
  bool slashed = id.find('/') != std::string_view::npos;
  std::size_t colon = id.find(':');
  switch (manager) {
  case Manager::vdb:
  case Manager::exndbam:
    return slashed;
  case Manager::dpkg:
    if (slashed)
      return false;
    if (colon == std::string_view::npos)
      return !id.empty();
    // NAME:ARCH; Debian architectures ("amd64", "all", "hurd-i386") start
    // with a letter, slots ("0", "2.4") mostly do not.
    return colon > 0 && colon + 1 < id.size() && id[colon + 1] >= 'a' && id[colon + 1] <= 'z' &&
           id.find(':', colon + 1) == std::string_view::npos;
  case Manager::pacman:
  case Manager::rpm:
    return !slashed && !id.empty() && colon == std::string_view::npos;
  }
  return false;
}

bool names_package(std::string_view id, const PackageId &package) {
  if (!can_name(package.manager, id))
    return false;
  switch (package.manager) {
  case Manager::vdb:
  case Manager::exndbam:
    return names_slotted(id, package);
  case Manager::dpkg: {
    std::size_t colon = id.find(':');
    return colon == std::string_view::npos
               ? id == package.name
               : id.substr(0, colon) == package.name && id.substr(colon + 1) == package.architecture;
  }
  case Manager::rpm:
    if (!package.architecture.empty() && id.size() == package.name.size() + 1 + package.architecture.size() &&
        id.substr(0, package.name.size()) == package.name && id[package.name.size()] == '.' &&
        id.substr(package.name.size() + 1) == package.architecture)
      return true;
    return id == package.name;
  case Manager::pacman:
    return id == package.name;
  }
  return false;
}

std::vector<const Package *> packages_for_id(const OwnerIndex &index, std::string_view id) {
  std::vector<const Package *> found;
  for (const Database &database : index.databases())
    if (can_name(database.manager, id))
      for (const Package &package : database.packages)
        if (names_package(id, package.id))
          found.push_back(&package);
  return found;
}

Installation installation(const OwnerIndex &index, std::string_view id) {
  Installation out;
  for (const Database &database : index.databases()) {
    if (!can_name(database.manager, id))
      continue;
    out.judged_by.push_back(database.manager);
    for (const Package &package : database.packages)
      if (names_package(id, package.id)) {
        out.listed = true;
        break;
      }
  }
  return out;
}

} // namespace abitag::packages
