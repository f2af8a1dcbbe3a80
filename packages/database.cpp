// SPDX-License-Identifier: MIT
#include "packages/database.h"

#include <cassert>

#include "fingerprint/errors.h"
#include "packages/pacman.h"
#include "packages/readers.h"
#include "packages/rpm.h"

namespace abitag::packages {

std::string_view manager_name(Manager manager) {
  switch (manager) {
  case Manager::dpkg: return "dpkg";
  case Manager::exndbam: return "exndbam";
  case Manager::vdb: return "vdb";
  case Manager::pacman: return "pacman";
  case Manager::rpm: return "rpm";
  }
  return "unknown";
}

std::optional<Manager> manager_named(std::string_view name) {
  for (Manager manager : all_managers())
    if (manager_name(manager) == name)
      return manager;
  return std::nullopt;
}

const std::vector<Manager> &all_managers() {
  static const std::vector<Manager> managers = {Manager::dpkg, Manager::exndbam, Manager::vdb, Manager::pacman,
                                                Manager::rpm};
  return managers;
}

std::string PackageId::qualified_name() const {
  return architecture_qualified ? name + ":" + architecture : name;
}

std::string PackageId::short_name() const {
  if (manager != Manager::vdb && manager != Manager::exndbam)
    return name;
  std::string_view bare_slot = std::string_view(slot).substr(0, slot.find('/'));
  return bare_slot.empty() ? name : name + ":" + std::string(bare_slot);
}

std::string PackageId::display() const {
  switch (manager) {
  case Manager::vdb:
  case Manager::exndbam: {
    std::string out = name + "-" + version;
    if (!slot.empty())
      out += ":" + slot;
    if (!repository.empty())
      out += "::" + repository;
    return out;
  }
  case Manager::rpm: // name-[epoch:]version-release.arch, as rpm -q prints it
    return name + "-" + version + (architecture.empty() ? "" : "." + architecture);
  case Manager::dpkg:
    return qualified_name() + " " + version;
  case Manager::pacman:
    return name + " " + version;
  }
  return name;
}

void FileList::add(std::string_view path, EntryType type, std::string_view link_target) {
  assert(bytes_.size() + path.size() + link_target.size() <= kMaxFileListBytes);
  Slot slot{static_cast<std::uint32_t>(bytes_.size()), static_cast<std::uint32_t>(path.size()),
            static_cast<std::uint32_t>(link_target.size()), type};
  bytes_ += path;
  bytes_ += link_target;
  slots_.push_back(slot);
}

void FileList::adopt(std::string bytes) {
  assert(bytes.size() <= kMaxFileListBytes);
  bytes_ = std::move(bytes);
  slots_.clear();
}

void FileList::add_slice(std::size_t offset, std::size_t size, EntryType type) {
  assert(offset + size <= bytes_.size());
  slots_.push_back({static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(size), 0, type});
}

void FileList::shrink_to_fit() {
  bytes_.shrink_to_fit();
  slots_.shrink_to_fit();
}

FileView FileList::operator[](std::size_t index) const {
  const Slot &slot = slots_[index];
  std::string_view bytes = bytes_;
  return {bytes.substr(slot.offset, slot.path_size), slot.type,
          bytes.substr(slot.offset + slot.path_size, slot.target_size)};
}

namespace {

// A VDB is CAT/PF folders; one entry with a CONTENTS or a metadata file
// tells it from an empty or unrelated var/db/pkg.
bool has_vdb_entry(const std::string &vdb) {
  auto categories = folder_names(vdb);
  if (!categories) {
    llvm::consumeError(categories.takeError());
    return false;
  }
  for (const std::string &category : *categories) {
    auto entries = folder_names(vdb + "/" + category);
    if (!entries) {
      llvm::consumeError(entries.takeError());
      continue;
    }
    for (const std::string &entry : *entries) {
      std::string folder = vdb + "/" + category + "/" + entry;
      if (is_file(folder + "/CONTENTS") || is_file(folder + "/metadata"))
        return true;
    }
  }
  return false;
}

} // namespace

std::vector<Manager> detect(const std::string &root) {
  std::vector<Manager> found;
  for (Manager manager : all_managers()) {
    bool present = false;
    switch (manager) {
    case Manager::dpkg: present = is_file(in_root(root, "/var/lib/dpkg/status")); break;
    case Manager::exndbam:
      present = is_file(in_root(root, "/var/db/paludis/repositories/installed/ndbam.conf"));
      break;
    case Manager::vdb: present = has_vdb_entry(in_root(root, "/var/db/pkg")); break;
    case Manager::pacman: present = has_pacman(root); break;
    case Manager::rpm: present = has_rpm(root); break;
    }
    if (present)
      found.push_back(manager);
  }
  return found;
}

llvm::Expected<Database> read_database(const std::string &root, Manager manager) {
  switch (manager) {
  case Manager::dpkg: return read_dpkg(root);
  case Manager::exndbam: return read_exndbam(root);
  case Manager::vdb: return read_vdb(root);
  case Manager::pacman: return read_pacman(root);
  case Manager::rpm: return read_rpm(root);
  }
  return make_error("no reader for the " + std::string(manager_name(manager)) + " database");
}

bool lists_file_named(const FileList &files, const std::vector<std::string> &names) {
  for (FileView file : files) {
    std::string_view base = file.path.substr(file.path.rfind('/') + 1);
    for (const std::string &name : names)
      if (base == name)
        return true;
  }
  return false;
}

// dpkg reads only the lists kept (its lists are most of its reading); the
// other readers read everything, and the lists not kept are dropped here,
// so the index over them is as small.
llvm::Expected<Database> read_database(const std::string &root, Manager manager, const ListFilter &filter) {
  if (manager == Manager::dpkg)
    return read_dpkg(root, &filter);
  llvm::Expected<Database> database = read_database(root, manager);
  if (!database)
    return database.takeError();
  for (Package &package : database->packages)
    if (!(filter.wanted && filter.wanted(package.id)) && !lists_file_named(package.files, filter.file_names))
      package.files = FileList();
  return database;
}

} // namespace abitag::packages
