// SPDX-License-Identifier: MIT
// The dpkg reader and the owner index: against dpkg-query itself on every
// path this machine's packages list (and their other names through the
// root's top-level links), and on made-up databases for what a real system
// may not show (diversions, damage, the journal).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "packages/database.h"
#include "packages/owner_index.h"
#include "tests/packages_support.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::packages;
using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

using Names = std::set<std::string>;


Names names_of(const std::vector<const Package *> &packages) {
  Names out;
  for (const Package *package : packages)
    out.insert(package->id.qualified_name());
  return out;
}

std::string join(const Names &names) {
  std::string out;
  for (const std::string &name : names)
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

// The root's top-level links, read by the test itself: "/lib" -> "/usr/lib".
std::map<std::string, std::string> top_level_links() {
  std::map<std::string, std::string> links;
  for (const fs::directory_entry &entry : fs::directory_iterator("/"))
    if (entry.is_symlink() && entry.is_directory()) {
      std::string target = fs::read_symlink(entry.path()).string();
      links["/" + entry.path().filename().string()] = target[0] == '/' ? target : "/" + target;
    }
  return links;
}

std::string canonical_name(const std::map<std::string, std::string> &links, const std::string &path) {
  for (const auto &[name, target] : links)
    if (path == name || path.rfind(name + "/", 0) == 0)
      return target + path.substr(name.size());
  return path;
}

// What dpkg-query says about a set of paths.
struct DpkgAnswers {
  std::map<std::string, Names> owners;                           // path -> the packages -S names
  std::map<std::string, std::pair<std::string, std::string>> diversions; // path -> (by or "", diverted to)
};

// A path as a dpkg-query pattern: '*', '?', '[' and '\' would make it a glob.
std::string literal_pattern(const std::string &path) {
  std::string out;
  for (char c : path) {
    if (c == '*' || c == '?' || c == '[' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

// "diversion by D from: P", "diversion by D to: Q" (or "local diversion
// ..."), then "pkg1, pkg2: PATH" lines.
void parse_search_output(const std::string &out, DpkgAnswers &answers) {
  std::string from;
  for (const std::string &line : lines(out)) {
    std::string by, rest;
    if (line.rfind("diversion by ", 0) == 0) {
      rest = line.substr(13);
      by = rest.substr(0, rest.find(' '));
      rest = rest.substr(by.size() + 1);
    } else if (line.rfind("local diversion ", 0) == 0) {
      rest = line.substr(16);
    }
    if (rest.rfind("from: ", 0) == 0) {
      from = rest.substr(6);
      continue;
    }
    if (rest.rfind("to: ", 0) == 0) {
      answers.diversions[from] = {by, rest.substr(4)};
      continue;
    }
    std::size_t colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    Names &owners = answers.owners[line.substr(colon + 2)];
    std::string list = line.substr(0, colon);
    for (std::size_t start = 0; start < list.size();) {
      std::size_t comma = list.find(", ", start);
      owners.insert(list.substr(start, comma == std::string::npos ? comma : comma - start));
      start = comma == std::string::npos ? list.size() : comma + 2;
    }
  }
}

// dpkg-query -S on PATHS, in batches that fit a command line.
DpkgAnswers dpkg_search(const std::vector<std::string> &paths) {
  DpkgAnswers answers;
  std::vector<std::string> batch{"-S"};
  std::size_t bytes = 0;
  auto flush = [&] {
    Run r = run("dpkg-query", batch);
    parse_search_output(r.out, answers);
    batch.resize(1);
    bytes = 0;
  };
  for (const std::string &path : paths) {
    batch.push_back(literal_pattern(path));
    bytes += path.size() + 9;
    if (bytes > 1000000)
      flush();
  }
  if (batch.size() > 1)
    flush();
  return answers;
}

// The packages with their files on disk, as dpkg-query -W names them
// ("libc6:amd64"), and what dpkg-query -L lists for each.
std::map<std::string, std::vector<std::string>> dpkg_lists() {
  Run installed = run("dpkg-query", {"-W", "-f=${binary:Package} ${db:Status-Status}\n"});
  std::vector<std::string> names{"-L"};
  for (const std::string &line : lines(installed.out)) {
    std::string state = line.substr(line.find(' ') + 1);
    if (state != "not-installed" && state != "config-files")
      names.push_back(line.substr(0, line.find(' ')));
  }
  Run listed = run("dpkg-query", names);
  REQUIRE(listed.exit_code == 0);
  // One block per package, in the order asked, separated by empty lines;
  // "diverted by ..." notes and "/." are not paths it owns.
  std::map<std::string, std::vector<std::string>> lists;
  std::size_t block = 1;
  for (const std::string &line : lines(listed.out)) {
    if (line.empty()) {
      ++block;
      continue;
    }
    REQUIRE(block < names.size());
    std::vector<std::string> &list = lists[names[block]];
    if (line[0] == '/' && line != "/.")
      list.push_back(line);
  }
  CHECK(block == names.size() - 1);
  return lists;
}

// One reading of this machine's dpkg database and of what dpkg-query says,
// shared by the sections below.
struct MachineDpkg {
  OwnerIndex index;
  std::map<std::string, std::vector<std::string>> lists;
  std::map<std::string, std::string> links;
  std::vector<std::string> queried;
  DpkgAnswers answers;
};

const MachineDpkg &machine_dpkg() {
  static const MachineDpkg machine = [] {
    MachineDpkg m;
    std::vector<Database> databases;
    databases.push_back(read_or_fail("/", Manager::dpkg));
    m.index = OwnerIndex(std::move(databases), RootAliases::read("/"));
    m.lists = dpkg_lists();
    m.links = top_level_links();
    // Every listed path, each under its other name too, and where the
    // diversions put files.
    std::set<std::string> queried;
    for (const auto &[package, list] : m.lists)
      for (const std::string &path : list) {
        queried.insert(path);
        queried.insert(canonical_name(m.links, path));
        for (const auto &[name, target] : m.links)
          if (path.rfind(target + "/", 0) == 0)
            queried.insert(name + path.substr(target.size()));
      }
    for (const Diversion &diversion : m.index.databases()[0].diversions)
      queried.insert(diversion.diverted_to);
    m.queried.assign(queried.begin(), queried.end());
    m.answers = dpkg_search(m.queried);
    return m;
  }();
  return machine;
}

// What abitag should answer for each path, from dpkg's own answers: a listed
// path's owners own the file under its final name, except that a package's
// copy of a path diverted by another package is at the path it is
// diverted to.
std::map<std::string, Names> expected_owners(const MachineDpkg &m) {
  std::map<std::string, Names> expected;
  for (const auto &[path, owners] : m.answers.owners)
    for (const std::string &owner : owners) {
      std::string placed = path;
      auto diversion = m.answers.diversions.find(path);
      if (diversion != m.answers.diversions.end() &&
          (diversion->second.first.empty() || owner.substr(0, owner.find(':')) != diversion->second.first))
        placed = diversion->second.second;
      expected[canonical_name(m.links, placed)].insert(owner);
    }
  return expected;
}

} // namespace

TEST_CASE("packages dpkg: this machine's database against dpkg-query", "[packages][dpkg]") {
  require_tool("dpkg-query", "dpkg");
  const MachineDpkg &m = machine_dpkg();
  const Database &database = m.index.databases()[0];

  SECTION("every package with files on disk, and its files as dpkg-query -L lists them") {
    std::size_t compared = 0, differing = 0;
    Names read;
    for (const Package &package : database.packages)
      read.insert(package.id.qualified_name());
    Names listed;
    for (const auto &[name, list] : m.lists)
      listed.insert(name);
    CHECK(join(read) == join(listed));
    for (const Package &package : database.packages) {
      auto list = m.lists.find(package.id.qualified_name());
      if (list == m.lists.end())
        continue;
      if (paths_of(package) != list->second && ++differing <= 5)
        UNSCOPED_INFO(package.id.qualified_name() << " lists other files");
      ++compared;
    }
    CHECK(differing == 0);
    CHECK(compared > 100);
    CHECK(database.damaged.empty());
  }

  SECTION("PATH -> owners: dpkg -S, and the owner under every other name of the file") {
    std::map<std::string, Names> expected = expected_owners(m);
    std::size_t mismatches = 0, same_as_dpkg = 0, only_abitag = 0;
    for (const std::string &path : m.queried) {
      Names abitag = names_of(m.index.owners(path));
      auto want = expected.find(canonical_name(m.links, path));
      Names wanted = want == expected.end() ? Names() : want->second;
      if (abitag != wanted && ++mismatches <= 20)
        UNSCOPED_INFO(path << ": abitag " << join(abitag) << "; from dpkg -S " << join(wanted));
      auto dpkg = m.answers.owners.find(path);
      if (dpkg != m.answers.owners.end() && dpkg->second == abitag)
        ++same_as_dpkg;
      if (dpkg == m.answers.owners.end() && !abitag.empty())
        ++only_abitag;
    }
    CHECK(mismatches == 0);
    CHECK(m.queried.size() > 100000);
    CHECK(same_as_dpkg > 100000);
    // dpkg finds a file only under the name its package lists: the
    // merged-/usr names (and the diverted-to paths) are abitag's alone.
    CHECK(only_abitag > 1000);
  }

  SECTION("/usr-merge: one owner for /lib/... and /usr/lib/..., dpkg -S only for the listed one") {
    if (!fs::is_symlink("/lib"))
      SUCCEED("/lib is a folder here: no merged /usr");
    std::size_t checked = 0;
    for (const auto &[package, list] : m.lists)
      for (const std::string &path : list) {
        if (path.rfind("/lib/", 0) != 0 || !fs::is_symlink("/lib"))
          continue;
        std::string usr = canonical_name(m.links, path);
        if (m.answers.owners.count(usr)) // also listed under /usr: not this case
          continue;
        INFO(path);
        CHECK(names_of(m.index.owners(path)) == names_of(m.index.owners(usr)));
        CHECK(!m.index.owners(usr).empty());
        CHECK(m.answers.owners.count(path) == 1);
        ++checked;
      }
    if (fs::is_symlink("/lib"))
      CHECK(checked > 100);
    if (fs::exists("/usr/lib/x86_64-linux-gnu/libc.so.6") && fs::is_symlink("/lib")) {
      CHECK(names_of(m.index.owners("/usr/lib/x86_64-linux-gnu/libc.so.6")) == Names{"libc6:amd64"});
      CHECK(names_of(m.index.owners("/lib/x86_64-linux-gnu/libc.so.6")) == Names{"libc6:amd64"});
    }
  }

  SECTION("a diversion: the diverting package at the path, the other copy where it is diverted to") {
    if (!m.answers.diversions.count("/usr/bin/pg_config"))
      SUCCEED("no pg_config diversion here (the made-up database below has one)");
    else {
      CHECK(m.answers.owners.at("/usr/bin/pg_config") == Names{"libpq-dev", "postgresql-common"});
      CHECK(names_of(m.index.owners("/usr/bin/pg_config")) == Names{"postgresql-common"});
      CHECK(names_of(m.index.owners("/usr/bin/pg_config.libpq-dev")) == Names{"libpq-dev"});
      CHECK(m.answers.owners.count("/usr/bin/pg_config.libpq-dev") == 0);
    }
  }

  SECTION("a folder many packages list is theirs, and no owner of what is in it") {
    Names usr_bin = names_of(m.index.owners("/usr/bin"));
    CHECK(usr_bin.size() > 10);
    CHECK(m.index.owners("/usr/bin/no-such-program-abitag").empty());
  }
}

namespace {

// A made-up root: a dpkg database and a merged /usr (lib -> usr/lib).
struct DpkgRoot {
  TempDir dir;
  std::string dpkg = dir.path() + "/var/lib/dpkg";

  DpkgRoot() {
    fs::create_directories(dpkg + "/info");
    fs::create_directories(dir.path() + "/usr/lib");
    fs::create_directories(dir.path() + "/usr/bin");
    fs::create_symlink("usr/lib", dir.path() + "/lib");
    fs::create_symlink("/usr/bin", dir.path() + "/bin"); // absolute: inside the root, not the host's
    write_file(dpkg + "/status", R"(Package: libfoo1
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: foo (1.2-1)
Version: 1.2-1+b1
Depends: libc6 (>= 2.34),
 libbar1 | libbaz1
Description: the foo library
 with a long description
 .
 over lines

Package: foo-tools
Status: install ok installed
Architecture: amd64
Version: 1:1.2-1
Pre-Depends: libfoo1
Built-Using: gcc-12 (= 12.2.0-14)

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1

Package: wrapper
Status: install ok installed
Architecture: all
Version: 3
)");
    write_file(dpkg + "/info/libfoo1:amd64.list", "/.\n/lib\n/lib/libfoo.so.1.2\n/lib/libfoo.so.1\n/usr\n/usr/share\n");
    write_file(dpkg + "/info/foo-tools.list", "/.\n/usr\n/usr/bin\n/usr/bin/foo\n/bin/foo-helper\n/usr/share\n");
    write_file(dpkg + "/info/gone.list", "/etc/gone.conf\n");
    write_file(dpkg + "/info/wrapper.list", "/.\n/usr\n/usr/bin\n/usr/bin/foo\n");
    // wrapper diverts /usr/bin/foo: foo-tools' copy is /usr/bin/foo.real.
    write_file(dpkg + "/diversions", "/usr/bin/foo\n/usr/bin/foo.real\nwrapper\n/lib/libfoo.so.1\n/lib/libfoo.so.1.local\n:\n");
  }

  OwnerIndex index() const {
    std::vector<Database> databases;
    databases.push_back(read_or_fail(dir.path(), Manager::dpkg));
    return OwnerIndex(std::move(databases), RootAliases::read(dir.path()));
  }
};

} // namespace

TEST_CASE("packages dpkg: a made-up database's packages as its status file gives them", "[packages][dpkg]") {
  DpkgRoot root;
  CHECK(detect(root.dir.path()) == std::vector<Manager>{Manager::dpkg});
  std::optional<Database> database = read_or_fail(root.dir.path(), Manager::dpkg);
  CHECK(database->damaged.empty());
  REQUIRE(database->packages.size() == 3); // "gone" keeps only its conffiles: not installed
  const Package &tools = database->packages[0], &foo = database->packages[1], &wrapper = database->packages[2];
  CHECK(tools.id.display() == "foo-tools 1:1.2-1");
  CHECK(tools.id.source == "foo-tools");
  CHECK(tools.id.source_version == "1:1.2-1");
  CHECK(tools.dependencies == std::vector<std::string>{"libfoo1"});
  CHECK(tools.built_against == std::vector<std::string>{"gcc-12 (= 12.2.0-14)"});
  CHECK(tools.entry == "/var/lib/dpkg/info/foo-tools.list");
  CHECK(foo.id.display() == "libfoo1:amd64 1.2-1+b1");
  CHECK(foo.id.qualified_name() == "libfoo1:amd64");
  CHECK(foo.id.short_name() == "libfoo1");
  CHECK(foo.id.source == "foo");
  CHECK(foo.id.source_version == "1.2-1"); // a binNMU
  CHECK(foo.dependencies == std::vector<std::string>{"libc6 (>= 2.34)", "libbar1 | libbaz1"});
  CHECK(foo.entry == "/var/lib/dpkg/info/libfoo1:amd64.list");
  REQUIRE(foo.files.size() == 5);
  CHECK(foo.files[0].path == "/lib");
  CHECK(foo.files[0].type == EntryType::directory);
  CHECK(foo.files[1].path == "/lib/libfoo.so.1.2");
  CHECK(foo.files[1].type == EntryType::unknown);
  CHECK(foo.files[4].path == "/usr/share"); // empty here: no telling
  CHECK(foo.files[4].type == EntryType::unknown);
  CHECK(wrapper.id.architecture == "all");
  CHECK(!wrapper.id.architecture_qualified);
  REQUIRE(database->diversions.size() == 2);
  CHECK(database->diversions[0].by == "wrapper");
  CHECK(database->diversions[1].by.empty()); // ":" is a local diversion
}

TEST_CASE("packages dpkg: owners through the root's links and the diversions", "[packages][dpkg]") {
  DpkgRoot root;
  OwnerIndex index = root.index();
  auto owners = [&](const std::string &path) { return join(names_of(index.owners(path))); };
  CHECK(owners("/lib/libfoo.so.1.2") == "libfoo1:amd64");
  CHECK(owners("/usr/lib/libfoo.so.1.2") == "libfoo1:amd64");
  CHECK(owners("/usr/bin/foo-helper") == "foo-tools"); // listed as /bin/foo-helper; /bin -> /usr/bin
  // Diverted by wrapper: wrapper's file is at the path, foo-tools' at foo.real.
  CHECK(owners("/usr/bin/foo") == "wrapper");
  CHECK(owners("/bin/foo") == "wrapper");
  CHECK(owners("/usr/bin/foo.real") == "foo-tools");
  // A local diversion moves every package's copy.
  CHECK(owners("/lib/libfoo.so.1").empty());
  CHECK(owners("/usr/lib/libfoo.so.1.local") == "libfoo1:amd64");
  // Folders: every package that lists one; nothing below it.
  CHECK(owners("/usr/bin") == "foo-tools, wrapper");
  CHECK(owners("/usr/lib") == "libfoo1:amd64"); // listed as /lib
  CHECK(owners("/usr/lib/libother.so").empty());
  CHECK(owners("/etc/gone.conf").empty());
  // PACKAGE -> files, where they are on disk.
  std::vector<const Package *> tools = index.packages_named("foo-tools");
  REQUIRE(tools.size() == 1);
  std::vector<std::string> placed;
  for (std::size_t i = 0; i < tools[0]->files.size(); ++i)
    placed.push_back(index.placed_path(*tools[0], i));
  CHECK(placed == std::vector<std::string>{"/usr", "/usr/bin", "/usr/bin/foo.real", "/usr/bin/foo-helper", "/usr/share"});
  CHECK(index.packages_named("libfoo1:amd64").size() == 1);
  CHECK(index.packages_named("libfoo1").size() == 1);
}

TEST_CASE("packages dpkg: the journal dpkg has not folded into status yet", "[packages][dpkg]") {
  DpkgRoot root;
  fs::create_directories(root.dpkg + "/updates");
  write_file(root.dpkg + "/updates/0000", "Package: wrapper\nStatus: install ok installed\nArchitecture: all\nVersion: 4\n");
  write_file(root.dpkg + "/updates/tmp.i", "Package: wrapper\nStatus: install ok installed\nArchitecture: all\nVersion: 5\n");
  std::optional<Database> database = read_or_fail(root.dir.path(), Manager::dpkg);
  REQUIRE(database->packages.size() == 3);
  CHECK(database->packages[2].id.version == "4"); // tmp.i is being written: not yet part of it
}

TEST_CASE("packages dpkg: damaged entries are findings naming them, the rest still read", "[packages][dpkg]") {
  DpkgRoot root;
  std::string status = read_file(root.dpkg + "/status");
  write_file(root.dpkg + "/status", status + "\nPackage: broken\nthis line is no field\nVersion: 1\n"
                                              "Status: install ok installed\n\nStatus: install ok installed\n"
                                              "Version: 2\n\nPackage: nolist\nStatus: install ok unpacked\n"
                                              "Architecture: amd64\nVersion: 1\n");
  write_file(root.dpkg + "/diversions", "/usr/bin/foo\n/usr/bin/foo.real\nwrapper\n/usr/bin/cut\n");
  std::optional<Database> database = read_or_fail(root.dir.path(), Manager::dpkg);
  CHECK(damage_of(*database) == std::vector<std::string>{
                       "/var/lib/dpkg/diversions: its last diversion is cut short (4 lines, not groups of three)",
                       "/var/lib/dpkg/info/nolist.list: package nolist: its file list "
                       "/var/lib/dpkg/info/nolist.list: No such file or directory",
                       "/var/lib/dpkg/status:32: line 33 is neither a field nor a continuation",
                       "/var/lib/dpkg/status:37: a stanza without a Package field"});
  CHECK(database->packages.size() == 4); // nolist kept, without files
  CHECK(database->diversions.size() == 1);
}

TEST_CASE("packages dpkg: no status file is an error naming it", "[packages][dpkg]") {
  TempDir dir;
  CHECK(detect(dir.path()).empty());
  auto database = read_database(dir.path(), Manager::dpkg);
  REQUIRE(!static_cast<bool>(database));
  CHECK(llvm::toString(database.takeError()) == "/var/lib/dpkg/status: No such file or directory");
}
