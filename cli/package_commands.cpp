// SPDX-License-Identifier: MIT
#include "cli/package_commands.h"

#include <algorithm>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "audit/package_rollup.h"
#include "cli/report.h"
#include "fingerprint/json_text.h"
#include "fingerprint/output.h"
#include "packages/owner_index.h"
#include "packages/specs.h"

namespace abitag::cli {
namespace {

using packages::Database;
using packages::Manager;
using packages::OwnerIndex;
using packages::Package;
using packages::PackageId;

// What both commands are given besides their words.
struct DatabaseOptions {
  std::string root = "/";
  std::string manager; // empty: every database detected under the root
  bool json = false;
};

void add_database_options(CLI::App &command, DatabaseOptions &options) {
  add_package_database_options(command, options.root, options.manager);
  command.add_flag("--json", options.json, "print one JSON document");
}

// The name a person asks the manager by: dpkg's NAME[:ARCH] as dpkg -S
// prints it, CATEGORY/PN:SLOT for VDB and exndbam, the name for the others.
std::string owner_name(const PackageId &id) {
  return id.manager == Manager::dpkg ? id.qualified_name() : id.short_name();
}


// PATH as seen inside ROOT: a relative path is taken from the current
// folder, and a host path under a ROOT other than / loses the ROOT prefix
// (as pacman -Qo takes them); any other absolute path is already one inside
// ROOT (as dpkg --root -S takes them).
std::string path_inside_root(const std::string &root, const std::string &path) {
  namespace fs = std::filesystem;
  std::string absolute = fs::absolute(path).lexically_normal().string();
  std::string prefix = fs::path(root).lexically_normal().string();
  while (prefix.size() > 1 && prefix.back() == '/')
    prefix.pop_back();
  if (prefix != "/" && absolute.rfind(prefix + "/", 0) == 0)
    absolute.erase(0, prefix.size());
  while (absolute.size() > 1 && absolute.back() == '/')
    absolute.pop_back();
  return absolute;
}

// What owner and files share: the databases read, damaged entries reported,
// each word answered, the JSON document printed at the end.
class DatabaseCommand : public Command {
public:
  llvm::Expected<int> run() override {
    llvm::Expected<OwnerIndex> index = read_package_index(options_.root, options_.manager, false);
    if (!index)
      return index.takeError();
    int code = report_damage(*index) ? kExitFindings : kExitOk;
    nlohmann::ordered_json document = nlohmann::ordered_json::array();
    for (const std::string &word : words_)
      if (!answer(*index, word, document))
        code = kExitFindings;
    if (options_.json)
      write_stdout(json_text(document, 2) + "\n");
    return code;
  }

protected:
  // Prints the answer for WORD, or adds it to DOCUMENT (--json); false for a
  // finding (nothing owns it, it is not installed), said on stderr.
  virtual bool answer(const OwnerIndex &index, const std::string &word, nlohmann::ordered_json &document) = 0;

  std::vector<std::string> words_;
  DatabaseOptions options_;
};

class OwnerCommand final : public DatabaseCommand {
public:
  std::string_view name() const override { return "owner"; }
  std::string_view description() const override {
    return "name the installed packages that own each PATH, as dpkg -S, pacman -Qo, rpm -qf";
  }

  void add_options(CLI::App &command) override {
    command.add_option("paths", words_,
                       "files or folders, as seen inside the root; a path under a --root other than / is "
                       "also taken as the host path of the file inside it")
        ->required()
        ->type_name("PATH");
    add_database_options(command, options_);
  }

private:
  bool answer(const OwnerIndex &index, const std::string &given, nlohmann::ordered_json &document) override {
    std::string path = path_inside_root(options_.root, given);
    std::vector<const Package *> owners = index.owners(path);
    if (options_.json) {
      nlohmann::ordered_json names = nlohmann::ordered_json::array();
      for (const Package *owner : owners)
        names.push_back(audit::package_json(owner->id));
      document.push_back({{"path", path}, {"owners", std::move(names)}});
    } else if (!owners.empty()) {
      write_stdout(owner_line(owners, path));
    }
    if (owners.empty()) // as dpkg -S: the finding on stderr, stdout keeps the answers
      report_note(path + ": not owned by any installed package");
    return !owners.empty();
  }

  // "NAME, NAME: PATH", as dpkg -S prints it.
  static std::string owner_line(const std::vector<const Package *> &owners, const std::string &path) {
    std::string line;
    for (const Package *owner : owners)
      line += (line.empty() ? "" : ", ") + owner_name(owner->id);
    return line + ": " + path + "\n";
  }
};

class FilesCommand final : public DatabaseCommand {
public:
  std::string_view name() const override { return "files"; }
  std::string_view description() const override {
    return "list the files each installed PACKAGE owns, as dpkg -L, pacman -Ql, rpm -ql";
  }

  void add_options(CLI::App &command) override {
    command.add_option("packages", words_,
                       "installed packages: a name, dpkg's NAME:ARCH, or CATEGORY/PN or CATEGORY/PN:SLOT")
        ->required()
        ->type_name("PACKAGE");
    add_database_options(command, options_);
  }

private:
  bool answer(const OwnerIndex &index, const std::string &name, nlohmann::ordered_json &document) override {
    std::vector<const Package *> found = packages::packages_for_id(index, name);
    if (found.empty())
      report_note(name + ": not installed");
    for (const Package *package : found) {
      if (options_.json) {
        nlohmann::ordered_json files = nlohmann::ordered_json::array();
        for (packages::FileView file : package->files)
          files.push_back(file.path);
        document.push_back({{"package", audit::package_json(package->id)}, {"files", std::move(files)}});
        continue;
      }
      for (packages::FileView file : package->files)
        write_stdout(std::string(file.path) + "\n");
    }
    return !found.empty();
  }
};

} // namespace

bool report_damage(const OwnerIndex &index) {
  bool damaged = false;
  for (const Database &database : index.databases())
    for (const packages::DamagedEntry &entry : database.damaged) {
      report_note(entry.entry + ": " + entry.reason);
      damaged = true;
    }
  return damaged;
}

void add_package_database_options(CLI::App &command, std::string &root, std::string &manager) {
  command.add_option("--root", root, "the system whose package databases are read: / or an image, a chroot")
      ->capture_default_str()
      ->type_name("DIR");
  std::vector<std::string> names;
  for (Manager each : packages::all_managers())
    names.emplace_back(packages::manager_name(each));
  command.add_option("--package-manager", manager,
                     "read only this manager's database (exit 3 when it is not under the root); default: every "
                     "database found there")
      ->type_name("NAME")
      ->check(CLI::IsMember(names));
}

llvm::Expected<OwnerIndex> read_package_index(const std::string &root, const std::string &manager_name,
                                              bool allow_none) {
  std::vector<Manager> managers;
  if (!manager_name.empty())
    managers.push_back(*packages::manager_named(manager_name));
  else
    managers = packages::detect(root);
  if (managers.empty() && !allow_none)
    return input_errors({{root, "no package database found (dpkg, exndbam, vdb, pacman, rpm)"}});
  std::vector<Database> databases;
  for (Manager manager : managers) {
    llvm::Expected<Database> database = packages::read_database(root, manager);
    // The readers name the file they missed inside the root or on the
    // host; the root said first makes the line the same for every manager.
    if (!database)
      return input_errors({{root, "no " + std::string(packages::manager_name(manager)) +
                                              " database: " + to_message(database.takeError())}});
    databases.push_back(std::move(*database));
  }
  return OwnerIndex(std::move(databases), packages::RootAliases::read(root));
}

std::vector<std::unique_ptr<Command>> make_package_commands() {
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(std::make_unique<OwnerCommand>());
  commands.push_back(std::make_unique<FilesCommand>());
  return commands;
}

} // namespace abitag::cli
