// SPDX-License-Identifier: MIT
// What the audit's walk covered, through the real binary: the folders it
// could not read (as nobody, on folders only root may read), the folders it
// passes over, -x on a tmpfs and on this machine, and --under paths with
// nothing to audit.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/audit_image.h"

using namespace abitag::test;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// `abitag audit ARGS` as a user that cannot read what only its owner may:
// nobody when the tests run as root (root reads everything), else the user
// running them.
Run audit_as_unprivileged(const std::vector<std::string> &args) {
  if (::geteuid() != 0)
    return audit(args);
  REQUIRE(have_tool("setpriv"));
  std::vector<std::string> all{"--reuid=65534", "--regid=65534", "--clear-groups", abitag_binary(), "audit"};
  all.insert(all.end(), args.begin(), args.end());
  return run("setpriv", all);
}

// A small system: one library, a folder its readers cannot open, one they
// can list but not enter, and the folders a walk of a root passes over (one
// holding a library, which must not be read).
struct Image {
  TempDir dir;
  std::string root = dir.path() + "/root";
  std::string secret = root + "/secret", listonly = root + "/listonly";

  Image() {
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
    for (const char *folder : {"/usr/lib", "/secret/sub", "/listonly/sub", "/proc/1", "/sys", "/dev", "/tmp", "/etc"})
      fs::create_directories(root + folder);
    fs::copy_file(fixture("cxxabi/new-O2/libnew.so"), root + "/usr/lib/libnew.so");
    fs::copy_file(fixture("cxxabi/old-O2/libold.so"), secret + "/libold.so");
    fs::copy_file(fixture("cxxabi/old-O2/libold.so"), secret + "/sub/libold.so");
    fs::copy_file(fixture("cxxabi/old-O2/libold.so"), root + "/proc/1/libold.so");
    write_file(listonly + "/a", "a\n");
    write_file(listonly + "/b", "b\n");
    write_file(root + "/etc/notes", "not an ELF file\n");
    // Owned by root and read by nobody: mode 700 and 744 (search only for
    // root). Read by their owner: no permission at all, and read only.
    bool root_user = ::geteuid() == 0;
    ::chmod(secret.c_str(), root_user ? 0700 : 0000);
    ::chmod(listonly.c_str(), root_user ? 0744 : 0444);
  }
  ~Image() {
    ::chmod(secret.c_str(), 0755);
    ::chmod(listonly.c_str(), 0755);
  }
};

std::vector<Json> findings_of(const Json &doc, const std::string &kind) {
  std::vector<Json> out;
  for (const Json &f : doc["findings"])
    if (f["kind"] == kind)
      out.push_back(f);
  return out;
}

// Folders DOC's walk did not enter because of WHY.
std::set<std::string> not_entered(const Json &doc, const std::string &why) {
  std::set<std::string> out;
  for (const Json &folder : doc["walk"]["not_entered"])
    if (folder["why"] == why)
      out.insert(folder["path"].get<std::string>());
  return out;
}

// A tmpfs mounted at PATH while it lives, if this machine lets the tests mount.
struct Tmpfs {
  std::string path;
  bool mounted = false;
  explicit Tmpfs(std::string at) : path(std::move(at)) {
    fs::create_directories(path);
    mounted = ::geteuid() == 0 && have_tool("mount") && run("mount", {"-t", "tmpfs", "abitag-test", path}).exit_code == 0;
  }
  ~Tmpfs() {
    if (mounted)
      run("umount", {path});
  }
};

// Mount points as /proc/self/mountinfo writes them (octal escapes undone).
std::vector<std::string> mount_points() {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string field, point;
    for (int i = 0; i < 5 && fields >> field; ++i)
      point = field;
    std::string decoded;
    for (std::size_t i = 0; i < point.size(); ++i) {
      if (point[i] == '\\' && i + 3 < point.size()) {
        decoded += static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        decoded += point[i];
      }
    }
    out.push_back(decoded);
  }
  return out;
}

} // namespace

TEST_CASE("audit names the folders it could not read, with their files when they can be counted",
          "[audit][walk-report]") {
  Image image;
  Run r = audit_as_unprivileged({image.root, "--json", "--only", "cxxabi"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Json doc = Json::parse(r.out);
  CHECK(doc["walk"]["unreadable_folders"] ==
        Json::parse(R"([{"path": "/listonly", "reason": "Permission denied", "files": 2},
                        {"path": "/secret", "reason": "Permission denied", "files": null}])"));
  CHECK(doc["walk"]["unreadable_files"] == 0);
  std::vector<Json> folders = findings_of(doc, "unreadable-folder");
  REQUIRE(folders.size() == 2);
  for (const Json &f : folders) {
    CHECK(f["severity"] == "informational");
    CHECK(f["section"] == "walk");
  }
  CHECK(doc["counts"]["at-risk"] == 0);
  // The passed-over folders are named; the library in /proc is not read, nor those in /secret.
  CHECK(not_entered(doc, "pseudo file system") == std::set<std::string>{"/dev", "/proc", "/sys"});
  CHECK(not_entered(doc, "scratch space") == std::set<std::string>{"/tmp"});
  CHECK(doc["walk"]["one_file_system"] == false);
  CHECK(doc["files_read"] == 1);

  Run text = audit_as_unprivileged({image.root, "--only", "cxxabi"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("\nINFORMATIONAL (2)\n"
                      "  folder /: 2 findings on 2 files\n"
                      "    /listonly: [walk/unreadable-folder] could not be entered (Permission denied): the 2 files "
                      "it lists were not audited\n"
                      "    /secret: [walk/unreadable-folder] could not be read (Permission denied): the files in it "
                      "were not audited, how many is unknown\n") != std::string::npos);
  CHECK(text.out.find("  walk: 2 folders could not be read, holding 2 files and an unknown number more; 0 files "
                      "could not be read\n"
                      "  walk: not entered: /dev, /proc, /sys (pseudo file system); /tmp (scratch space)\n") !=
        std::string::npos);

  // Whoever may read them reads them all (root, or their owner once allowed).
  ::chmod(image.secret.c_str(), 0755);
  ::chmod(image.listonly.c_str(), 0755);
  Json all = Json::parse(audit({image.root, "--json", "--only", "cxxabi"}).out);
  CHECK(all["walk"]["unreadable_folders"].empty());
  CHECK(all["files_read"] == 3);
}

TEST_CASE("audit --under a path that is not an ELF file: informational, nothing to audit", "[audit][walk-report]") {
  Image image;
  Run r = audit({image.root, "--json", "--under", "/etc/notes,/usr/lib"});
  REQUIRE(r.exit_code == 0);
  Json doc = Json::parse(r.out);
  std::vector<Json> found = findings_of(doc, "nothing-to-audit");
  REQUIRE(found.size() == 1);
  CHECK(found[0]["file"] == "/etc/notes");
  CHECK(found[0]["severity"] == "informational");
  CHECK(doc["counts"]["at-risk"] == 0);
  CHECK(doc["counts"]["broken-now"] == 0);
  CHECK(doc["walk"]["nothing_to_audit"] == 1);
  CHECK(doc["files_read"] == 1);
  Run text = audit({image.root, "--under", "/etc/notes"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("  /etc/notes: [walk/nothing-to-audit] named by --under, but not an ELF program or shared "
                      "object, nor an SBCL core: nothing in it to audit\n") != std::string::npos);
  CHECK(text.out.find("AT RISK") == std::string::npos);
  // A path that is not there is still an unusable input.
  CHECK(audit({image.root, "--under", "/etc/none"}).exit_code == 3);
}

TEST_CASE("audit -x does not enter another file system mounted under ROOT", "[audit][walk-report]") {
  Image image;
  Tmpfs data(image.root + "/mnt/data");
  if (!data.mounted) {
    WARN("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): -x checked on this machine's / only");
    return;
  }
  fs::copy_file(fixture("cxxabi/old-O2/libold.so"), data.path + "/libold.so");
  Json crossing = Json::parse(audit({image.root, "--json", "--only", "cxxabi"}).out);
  CHECK(crossing["files_read"] == 4); // usr/lib, secret and secret/sub, and the tmpfs
  CHECK(not_entered(crossing, "another file system").empty());

  for (const char *flag : {"-x", "--one-file-system"}) {
    Run r = audit({image.root, flag, "--json", "--only", "cxxabi"});
    REQUIRE(r.exit_code == 0);
    Json doc = Json::parse(r.out);
    CHECK(doc["files_read"] == 3);
    CHECK(doc["walk"]["one_file_system"] == true);
    CHECK(not_entered(doc, "another file system") == std::set<std::string>{"/mnt/data"});
  }
  Run text = audit({image.root, "-x", "--only", "cxxabi"});
  CHECK(text.out.find("  walk: not entered: /dev, /proc, /sys (pseudo file system); /mnt/data (another file "
                      "system); /tmp (scratch space)\n") != std::string::npos);
  // As find -xdev: the file system of each starting point counts.
  Json under_mnt = Json::parse(audit({image.root, "-x", "--json", "--under", "/mnt", "--only", "cxxabi"}).out);
  CHECK(under_mnt["files_read"] == 0);
  CHECK(not_entered(under_mnt, "another file system") == std::set<std::string>{"/mnt/data"});
  Json under_data = Json::parse(audit({image.root, "-x", "--json", "--under", "/mnt/data", "--only", "cxxabi"}).out);
  CHECK(under_data["files_read"] == 1);
}

TEST_CASE("audit -x / on this machine enters no other file system", "[audit][walk-report][system]") {
  // --only sbcl: the walk is the same for every section, and this one reads
  // only the heads it already has.
  Run r = audit({"-x", "/", "--json", "--only", "sbcl"});
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  Json doc = Json::parse(r.out);
  CHECK(doc["walk"]["one_file_system"] == true);
  std::set<std::string> pseudo = not_entered(doc, "pseudo file system");
  for (const char *folder : {"/proc", "/sys", "/dev"})
    CHECK(pseudo.count(folder) == 1);

  // The mount points a walk of / meets first: on another device than /,
  // outside the top-level folders it passes over, below no other such one.
  struct stat top;
  REQUIRE(::stat("/", &top) == 0);
  std::set<std::string> candidates;
  for (const std::string &point : mount_points()) {
    struct stat st;
    std::string first = point.substr(1, point.find('/', 1) - 1);
    if (point == "/" || ::lstat(point.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_dev == top.st_dev)
      continue;
    if (first == "proc" || first == "sys" || first == "dev" || first == "run" || first == "tmp" ||
        first == "lost+found")
      continue;
    candidates.insert(point);
  }
  std::set<std::string> expected;
  for (const std::string &point : candidates) {
    bool nested = false;
    for (const std::string &other : candidates)
      nested |= other != point && point.rfind(other + "/", 0) == 0;
    if (!nested)
      expected.insert(point);
  }
  std::set<std::string> other = not_entered(doc, "another file system");
  CHECK(other == expected);
  for (const Json &f : doc["findings"])
    for (const std::string &point : other)
      CHECK(f["file"].get<std::string>().rfind(point + "/", 0) != 0);
}
