// SPDX-License-Identifier: MIT
// The pacman and rpm readers against the real tools: the fixture packages
// (scripts/make-fixtures-packages-alpm-rpm: a C++ library, a program using it,
// the library again built with the other string ABI) are installed into a
// temporary root by the real pacman and rpm, and what abitag reads is compared
// with what pacman -Q and rpm -q say about every file and every package.
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fingerprint/errors.h"
#include "packages/pacman.h"
#include "packages/rpm.h"
#include "tests/packages_support.h"
#include "tests/support.h"

using namespace abitag::packages;
using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

// A package's files as owned strings, for sets, maps and path joins.
std::vector<FileEntry> entries_of(const Package &package) {
  std::vector<FileEntry> out;
  for (FileView file : package.files)
    out.push_back({std::string(file.path), file.type, std::string(file.link_target)});
  return out;
}

// What the package manager says, asked the way a person would.
struct ManagerAnswers {
  std::string location; // the database's, inside the root
  std::function<std::set<std::string>(const std::string &path)> owners; // PATH inside the root
  std::function<std::set<std::string>(const std::string &name)> files;  // paths inside the root
  // Checks each package's identity and dependencies against the manager's.
  std::function<void(const Database &database)> check_identities;
};

std::set<std::string> set_of(std::vector<std::string> items) { return {items.begin(), items.end()}; }

// Every path the database names, and every path under the root.
std::set<std::string> paths_to_ask(const std::string &root, const Database &database) {
  std::set<std::string> paths;
  for (const Package &package : database.packages)
    for (const FileEntry &file : entries_of(package))
      paths.insert(file.path);
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
    paths.insert(it->path().string().substr(root.size()));
  return paths;
}

void compare_with_manager(const std::string &root, const Database &database, const ManagerAnswers &answers) {
  std::map<std::string, std::set<std::string>> owners_read;
  for (const Package &package : database.packages) {
    std::set<std::string> files;
    for (const FileEntry &file : entries_of(package)) {
      files.insert(file.path);
      owners_read[file.path].insert(package.id.name);
    }
    INFO("the files of " << package.id.name);
    CHECK(files == answers.files(package.id.name));
  }
  std::set<std::string> paths = paths_to_ask(root, database);
  CHECK(paths.size() > 15);
  for (const std::string &path : paths) {
    INFO("the owners of " << path);
    CHECK(owners_read[path] == answers.owners(path));
  }
}

// Each entry's type and link target against what the manager installed.
void compare_with_file_system(const std::string &root, const Database &database) {
  std::size_t links = 0;
  for (const Package &package : database.packages)
    for (const FileEntry &file : entries_of(package)) {
      INFO(package.id.name << ": " << file.path);
      fs::file_status status = fs::symlink_status(root + file.path);
      CHECK(fs::is_directory(status) == (file.type == EntryType::directory));
      CHECK(fs::is_regular_file(status) == (file.type == EntryType::file));
      CHECK(fs::is_symlink(status) == (file.type == EntryType::symlink));
      if (file.type == EntryType::symlink) {
        CHECK(file.link_target == fs::read_symlink(root + file.path).string());
        ++links;
      }
    }
  CHECK(links > 0);
}

// What this process writes on stderr while BODY runs (librpm must write nothing).
std::string stderr_during(const std::function<void()> &body) {
  TempDir dir;
  std::string path = dir.path() + "/stderr";
  std::fflush(stderr);
  int saved = ::dup(2);
  int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(file, 2);
  ::close(file);
  struct Restore {
    int saved;
    ~Restore() {
      std::fflush(stderr);
      ::dup2(saved, 2);
      ::close(saved);
    }
  } restore{saved};
  body();
  return read_file(path);
}

Database read_or_fail(llvm::Expected<Database> database) {
  if (!database)
    FAIL(abitag::to_message(database.takeError()));
  return std::move(*database);
}

// DATABASE, read from ROOT, against its manager and the files it installed.
Database compare(const std::string &root, Database database, const ManagerAnswers &answers) {
  CHECK(database.location == answers.location);
  CHECK(database.damaged.empty());
  answers.check_identities(database);
  compare_with_manager(root, database, answers);
  compare_with_file_system(root, database);
  return database;
}

const Package &package_named(const Database &database, const std::string &name) {
  for (const Package &package : database.packages)
    if (package.id.name == name)
      return package;
  FAIL("no package " << name);
  throw; // not reached: FAIL ends the test case
}

// ---- pacman ----

// `pacman -Qi NAME`'s "Key : value" lines.
std::map<std::string, std::string> pacman_info(const std::string &root, const std::string &name) {
  std::map<std::string, std::string> info;
  for (const std::string &line : lines(run("pacman", pacman_args(root, {"-Qi", name})).out)) {
    std::size_t colon = line.find(" : ");
    if (colon != std::string::npos)
      info[line.substr(0, line.find_last_not_of(' ', colon) + 1)] = line.substr(colon + 3);
  }
  return info;
}

// pkgbase from the package file's .PKGINFO, which makepkg writes.
std::string pkgbase_in(const std::string &package_file) {
  require_tool("tar", "tar");
  for (const std::string &line : lines(run("tar", {"--zstd", "-xOf", package_file, ".PKGINFO"}).out))
    if (line.rfind("pkgbase = ", 0) == 0)
      return line.substr(10);
  return "";
}

void compare_pacman_identities(const std::string &root, const Database &database) {
  std::set<std::string> listed;
  for (const Package &package : database.packages) {
    const PackageId &id = package.id;
    listed.insert(id.name + " " + id.version);
    std::map<std::string, std::string> info = pacman_info(root, id.name);
    std::string depends;
    for (const std::string &dependency : package.dependencies)
      depends += (depends.empty() ? "" : "  ") + dependency;
    INFO(id.name);
    CHECK(id.manager == Manager::pacman);
    CHECK(id.architecture == info["Architecture"]);
    CHECK((depends.empty() ? "None" : depends) == info["Depends On"]);
    CHECK(id.source == pkgbase_in(pacman_package(id.name + "-" + id.version)));
    CHECK(package.entry == root + "/var/lib/pacman/local/" + id.name + "-" + id.version);
  }
  CHECK(listed == set_of(lines(run("pacman", pacman_args(root, {"-Q"})).out)));
}

ManagerAnswers pacman_answers(const std::string &root) {
  ManagerAnswers answers;
  answers.location = "/var/lib/pacman/local";
  answers.check_identities = [root](const Database &database) { compare_pacman_identities(root, database); };
  answers.owners = [root](const std::string &path) {
    // "ROOT/usr/ is owned by abidemo 1:1.0-1", a line for each owner.
    std::set<std::string> owners;
    for (const std::string &line : lines(run("pacman", pacman_args(root, {"-Qo", root + path})).out)) {
      std::size_t owned = line.rfind(" is owned by ");
      if (owned != std::string::npos) {
        std::string owner = line.substr(owned + 13);
        owners.insert(owner.substr(0, owner.find(' ')));
      }
    }
    return owners;
  };
  answers.files = [root](const std::string &name) {
    // "abidemo ROOT/usr/bin/": the folders with a trailing '/'.
    std::set<std::string> files;
    for (std::string line : lines(run("pacman", pacman_args(root, {"-Ql", name})).out)) {
      line = line.substr(name.size() + 1 + root.size());
      if (line.size() > 1 && line.back() == '/')
        line.pop_back();
      files.insert(line);
    }
    return files;
  };
  return answers;
}

Database compare_pacman(const std::string &root) {
  REQUIRE(has_pacman(root));
  return compare(root, read_or_fail(read_pacman(root)), pacman_answers(root));
}

} // namespace

TEST_CASE("pacman: abitag reads the packages pacman installed as pacman -Q says, before and after an upgrade",
          "[packages][pacman]") {
  TempDir root;
  pacman_install(root.path(), {"libabidemo-1:1.0-1", "abidemo-1:1.0-1"});
  Database database = compare_pacman(root.path());
  REQUIRE(database.packages.size() == 2);
  const Package &library = package_named(database, "libabidemo");
  CHECK(library.id.version == "1:1.0-1");
  CHECK(library.id.source == "abidemo");
  CHECK(library.dependencies == std::vector<std::string>{"gcc-libs"});

  // The library rebuilt with the old string ABI, installed over it.
  pacman_install(root.path(), {"libabidemo-1:1.0-2"});
  database = compare_pacman(root.path());
  const Package &upgraded = package_named(database, "libabidemo");
  CHECK(upgraded.id.version == "1:1.0-2");
  const Package &program = package_named(database, "abidemo");
  CHECK(program.dependencies == std::vector<std::string>{"libabidemo=1:1.0-1", "gcc-libs"});
}

// ---- rpm ----

namespace {

void compare_rpm_identities(const std::string &root, const Database &database) {
  std::set<std::string> listed;
  for (const Package &package : database.packages) {
    const PackageId &id = package.id;
    listed.insert(id.name + "|" + id.version + "|" + id.architecture + "|" + id.source);
    INFO(id.name);
    CHECK(id.manager == Manager::rpm);
    CHECK(package.dependencies == lines(run("rpm", rpm_args(root, {"-qR", id.name})).out));
    CHECK(package.entry.rfind(root + "/var/lib/rpm/rpmdb.sqlite#", 0) == 0);
  }
  Run all = run("rpm", rpm_args(root, {"-qa", "--qf", "%{NAME}|%{EVR}|%{ARCH}|%{SOURCERPM}\\n"}));
  CHECK(listed == set_of(lines(all.out)));
}

ManagerAnswers rpm_answers(const std::string &root) {
  ManagerAnswers answers;
  answers.location = "/var/lib/rpm/rpmdb.sqlite";
  answers.check_identities = [root](const Database &database) { compare_rpm_identities(root, database); };
  answers.owners = [root](const std::string &path) {
    Run owners = run("rpm", rpm_args(root, {"-qf", "--qf", "%{NAME}\\n", path}));
    return owners.exit_code == 0 ? set_of(lines(owners.out)) : std::set<std::string>();
  };
  answers.files = [root](const std::string &name) {
    return set_of(lines(run("rpm", rpm_args(root, {"-ql", name})).out));
  };
  return answers;
}

Database compare_rpm(const std::string &root) {
  REQUIRE(has_rpm(root));
  Database database;
  CHECK(stderr_during([&] { database = read_or_fail(read_rpm(root)); }).empty());
  return compare(root, std::move(database), rpm_answers(root));
}

} // namespace

TEST_CASE("rpm: abitag reads the packages rpm installed as rpm -q says, before and after an upgrade",
          "[packages][rpm]") {
  TempDir root;
  rpm_install(root.path(), "-i", {"libabidemo-1.0-1", "abidemo-1.0-1"});
  Database database = compare_rpm(root.path());
  REQUIRE(database.packages.size() == 2);
  const Package &library = package_named(database, "libabidemo");
  CHECK(library.id.version == "1:1.0-1");
  CHECK(library.id.source == "abidemo-1.0-1.src.rpm");
  CHECK(library.id.architecture == "x86_64");

  rpm_install(root.path(), "-U", {"libabidemo-1.0-2"});
  database = compare_rpm(root.path());
  const Package &upgraded = package_named(database, "libabidemo");
  CHECK(upgraded.id.version == "1:1.0-2");
  CHECK(upgraded.id.source == "abidemo-1.0-2.src.rpm");
}

// ---- damaged databases ----

namespace {

std::string without_section(const std::string &text, const std::string &key) {
  std::string section = "%" + key + "%\n";
  std::size_t start = text.find(section);
  REQUIRE(start != std::string::npos);
  return text.substr(0, start) + text.substr(text.find("\n\n", start) + 2);
}

} // namespace

TEST_CASE("pacman: a damaged package folder is one finding naming it, and the other packages are still read",
          "[packages][pacman]") {
  TempDir root;
  pacman_install(root.path(), {"libabidemo-1:1.0-1", "abidemo-1:1.0-1"});
  std::string local = root.path() + "/var/lib/pacman/local/";
  std::string program = local + "abidemo-1:1.0-1", library = local + "libabidemo-1:1.0-1";
  std::string kept = "libabidemo";
  std::vector<DamagedEntry> expected;

  SECTION("a desc without %NAME%") {
    write_file(program + "/desc", without_section(read_file(program + "/desc"), "NAME"));
    expected = {{program, "desc has no %NAME%"}};
  }
  SECTION("a desc without %VERSION%") {
    write_file(program + "/desc", without_section(read_file(program + "/desc"), "VERSION"));
    expected = {{program, "desc has no %VERSION%"}};
  }
  SECTION("a desc naming another package than its folder") {
    fs::rename(program, local + "abidemo-1:1.0-9");
    program = local + "abidemo-1:1.0-9";
    REQUIRE(fs::exists(program + "/desc"));
    expected = {{program, "desc names abidemo 1:1.0-1, not this folder's package"}};
  }
  SECTION("no files list") {
    fs::remove(library + "/files");
    kept = "abidemo";
    expected = {{library, "files: No such file or directory"}};
    // pacman itself cannot list the package's files.
    Run listed = run("pacman", pacman_args(root.path(), {"-Ql", "libabidemo"}));
    CHECK(listed.err.find(library + "/files") != std::string::npos);
  }
  Database database = read_or_fail(read_pacman(root.path()));
  REQUIRE(database.packages.size() == 1);
  CHECK(database.packages[0].id.name == kept);
  REQUIRE(database.damaged.size() == 1);
  CHECK(database.damaged[0].entry == expected[0].entry);
  CHECK(database.damaged[0].reason == expected[0].reason);
}

TEST_CASE("pacman: an mtree that cannot be read is a finding naming it, and its package is read without it",
          "[packages][pacman]") {
  TempDir root;
  pacman_install(root.path(), {"libabidemo-1:1.0-1", "abidemo-1:1.0-1"});
  std::string mtree = root.path() + "/var/lib/pacman/local/libabidemo-1:1.0-1/mtree";
  write_file(mtree, "not gzip, not mtree\n");
  Database database = read_or_fail(read_pacman(root.path()));
  CHECK(database.packages.size() == 2);
  REQUIRE(database.damaged.size() == 1);
  CHECK(database.damaged[0].entry == mtree);
  CHECK_FALSE(database.damaged[0].reason.empty());
  // Without the mtree the files list cannot tell a link from a file.
  const Package &library = package_named(database, "libabidemo");
  for (const FileEntry &file : entries_of(library))
    CHECK(file.type != EntryType::symlink);
}

TEST_CASE("pacman: a database that is not version 9, or is not there, is an error naming it", "[packages][pacman]") {
  TempDir root;
  pacman_install(root.path(), {"libabidemo-1:1.0-1"});
  std::string version = root.path() + "/var/lib/pacman/local/ALPM_DB_VERSION";
  write_file(version, "8\n");
  auto old = read_pacman(root.path());
  REQUIRE_FALSE(static_cast<bool>(old));
  CHECK(abitag::to_message(old.takeError()) ==
        version + ": version 8, where abitag reads version 9 (pacman 4.2 and later)");
  fs::remove(version);
  CHECK_FALSE(has_pacman(root.path()));
  auto missing = read_pacman(root.path());
  REQUIRE_FALSE(static_cast<bool>(missing));
  CHECK(abitag::to_message(missing.takeError()) == version + ": No such file or directory");
}

TEST_CASE("rpm: a database replaced with garbage is one error naming it, and librpm prints nothing",
          "[packages][rpm]") {
  TempDir root;
  rpm_install(root.path(), "-i", {"libabidemo-1.0-1", "abidemo-1.0-1"});
  std::string file = root.path() + "/var/lib/rpm/rpmdb.sqlite";
  write_file(file, std::string(64 * 1024, 'x'));
  std::string message;
  std::string printed = stderr_during([&] {
    auto database = read_rpm(root.path());
    REQUIRE_FALSE(static_cast<bool>(database));
    message = abitag::to_message(database.takeError());
  });
  INFO(message);
  CHECK(message.rfind(file + ": ", 0) == 0);
  CHECK(message.find('\n') == std::string::npos);
  CHECK(printed.empty());
  // rpm cannot read it either.
  CHECK(run("rpm", rpm_args(root.path(), {"-qa"})).exit_code != 0);
}

TEST_CASE("rpm: a damaged header is one finding naming the database, and the other packages are still read",
          "[packages][rpm]") {
  require_tool("sqlite3", "sqlite3");
  TempDir root;
  rpm_install(root.path(), "-i", {"libabidemo-1.0-1", "abidemo-1.0-1"});
  std::string file = root.path() + "/var/lib/rpm/rpmdb.sqlite";
  // abidemo's header blob cut short.
  Run cut = run("sqlite3", {file, "UPDATE Packages SET blob = substr(blob, 1, 100) WHERE hnum = "
                                  "(SELECT hnum FROM Name WHERE key = 'abidemo')"});
  REQUIRE(cut.exit_code == 0);
  Database database;
  std::string printed = stderr_during([&] { database = read_or_fail(read_rpm(root.path())); });
  CHECK(printed.empty());
  REQUIRE(database.packages.size() == 1);
  CHECK(database.packages[0].id.name == "libabidemo");
  REQUIRE(database.damaged.size() == 1);
  CHECK(database.damaged[0].entry == file);
  INFO(database.damaged[0].reason);
  // rpm skips the same header, and says so.
  Run listed = run("rpm", rpm_args(root.path(), {"-qa"}));
  CHECK(lines(listed.out) == std::vector<std::string>{"libabidemo-1.0-1.x86_64"});
  CHECK_FALSE(listed.err.empty());
}

// Reading a database that cannot be opened: one error naming FILE, nothing printed.
void check_open_error(const std::string &root, const std::string &file) {
  REQUIRE(has_rpm(root));
  std::string message;
  CHECK(stderr_during([&] {
          auto database = read_rpm(root);
          REQUIRE_FALSE(static_cast<bool>(database));
          message = abitag::to_message(database.takeError());
        }).empty());
  INFO(message);
  CHECK(message.rfind(file + ": ", 0) == 0);
}

TEST_CASE("rpm: a database of another backend that cannot be opened is an error naming it", "[packages][rpm]") {
  TempDir root;
  std::string folder = root.path() + "/usr/lib/sysimage/rpm";
  fs::create_directories(folder);
  std::string garbage(64 * 1024, 'x');
  SECTION("ndb, which Debian's librpm is built without") {
    write_file(folder + "/Packages.db", garbage);
    check_open_error(root.path(), folder + "/Packages.db");
  }
  SECTION("BerkeleyDB, damaged") {
    write_file(folder + "/Packages", garbage);
    check_open_error(root.path(), folder + "/Packages");
  }
}
