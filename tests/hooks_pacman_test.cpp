// SPDX-License-Identifier: MIT
// The pacman hooks (hooks/pacman) run by the real pacman: the fixture
// packages installed, upgraded and removed into a temporary root with
// `pacman -r ROOT --hookdir DIR`, where pacman runs each hook's Exec
// chrooted into ROOT, as it does on a real system. So the root holds what
// the hook runs there: a shell, the hook script, and this build's abitag
// with the libraries it loads (hard links where the file system allows,
// else copies).
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/packages_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

constexpr const char *kHooksDir = "/usr/share/abitag/hooks"; // inside the root

// HOST_PATH at the same path inside ROOT: a hard link to its real file, or a copy.
void place(const std::string &root, const std::string &host_path, const std::string &inside) {
  if (fs::exists(root + inside))
    return; // a library both programs load
  fs::create_directories(fs::path(root + inside).parent_path());
  std::error_code error;
  fs::create_hard_link(fs::canonical(host_path), root + inside, error);
  if (error)
    fs::copy_file(fs::canonical(host_path), root + inside, fs::copy_options::overwrite_existing);
}

// The shared libraries PROGRAM loads, as ldd names them.
std::vector<std::string> libraries_of(const std::string &program) {
  std::vector<std::string> out;
  for (const std::string &line : lines(run("ldd", {program}).out)) {
    std::size_t slash = line.find('/');
    if (slash != std::string::npos)
      out.push_back(line.substr(slash, line.find(' ', slash) - slash));
  }
  return out;
}

struct PacmanRoot {
  TempDir dir;
  std::string root = dir.path() + "/root";
  std::string hooks = dir.path() + "/hooks";
  std::string db = root + "/var/lib/abitag/tags.db";

  PacmanRoot() {
    require_tool("pacman", "pacman-package-manager");
    require_tool("ldd", "libc-bin");
    fs::create_directories(root + "/var/lib/pacman");
    fs::create_directories(hooks);
    place(root, "/bin/sh", "/bin/sh");
    place(root, abitag_binary(), "/usr/bin/abitag");
    for (const std::string &program : {std::string("/bin/sh"), abitag_binary()})
      for (const std::string &library : libraries_of(program))
        place(root, library, library);
    place(root, std::string(ABITAG_SOURCE) + "/hooks/pacman/abitag-pacman-hook",
          std::string(kHooksDir) + "/abitag-pacman-hook");
    // The .hook files as hooks/CMakeLists.txt configures them.
    for (const char *hook : {"abitag-adopt", "abitag-forget"}) {
      std::string text = read_file(std::string(ABITAG_SOURCE) + "/hooks/pacman/" + hook + ".hook.in");
      std::size_t at = text.find("@ABITAG_HOOKS_DIR@");
      REQUIRE(at != std::string::npos);
      text.replace(at, std::string("@ABITAG_HOOKS_DIR@").size(), kHooksDir);
      write_file(hooks + "/" + hook + ".hook", text);
    }
  }
  // pacman OPERATION with the hooks; the hook's own output is pacman's.
  Run pacman(std::vector<std::string> args) {
    args.insert(args.begin(), {"--hookdir", hooks, "--noconfirm"});
    Run r = as_root("pacman", pacman_args(root, args));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }
  void install(const std::vector<std::string> &packages) {
    std::vector<std::string> args = {"-U", "--nodeps", "--nodeps"}; // the fixtures depend on gcc-libs
    for (const std::string &package : packages)
      args.push_back(pacman_package(package));
    pacman(args);
  }
  Run abitag(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db});
    return run(abitag_binary(), args);
  }
};

// `abitag show`'s lines without their times.
std::vector<std::string> shown(PacmanRoot &r, const std::string &package) {
  std::vector<std::string> out;
  for (std::string line : lines(r.abitag({"show", package}).out))
    out.push_back(line.substr(0, line.find(" (")));
  return out;
}

} // namespace

TEST_CASE("hooks pacman: install, a dual-ABI upgrade of the library and removal through the real pacman",
          "[hooks][pacman]") {
  PacmanRoot r;
  r.install({"libabidemo-1:1.0-1", "abidemo-1:1.0-1"});
  CHECK(shown(r, "libabidemo") == std::vector<std::string>{"libabidemo", "  tag  cxxabi=libstdc++-cxx11",
                                                            "  tag  sonames=libabidemo.so.1"});
  CHECK(shown(r, "abidemo") == std::vector<std::string>{"abidemo", "  tag  cxxabi=compat",
                                                         "  lock libabidemo cxxabi=libstdc++-cxx11",
                                                         "  lock libabidemo sonames=libabidemo.so.1"});
  CHECK(r.abitag({"check", "--root", r.root}).exit_code == 0);

  // 1.0-2 is built with _GLIBCXX_USE_CXX11_ABI=0 (tests/fixtures/packages/src/PKGBUILD).
  r.install({"libabidemo-1:1.0-2"});
  Run check = r.abitag({"check", "--root", r.root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"abidemo"});

  r.pacman({"-R", "abidemo"});
  CHECK(r.abitag({"show", "abidemo"}).exit_code == 3); // forgotten
  CHECK(r.abitag({"check", "--root", r.root}).exit_code == 0);
}

TEST_CASE("hooks pacman: an abitag that fails never fails the transaction", "[hooks][pacman]") {
  PacmanRoot r;
  fs::remove(r.root + "/usr/bin/abitag");
  write_file(r.root + "/usr/bin/abitag", "#!/bin/sh\necho 'abitag: broken' >&2\nexit 4\n");
  fs::permissions(r.root + "/usr/bin/abitag", fs::perms::owner_all);
  Run installed = r.pacman({"-U", "--nodeps", "--nodeps", pacman_package("libabidemo-1:1.0-1")});
  // pacman passes the hook's output on (on its standard output).
  CHECK((installed.out + installed.err).find("abitag: broken") != std::string::npos);
  CHECK(run("pacman", pacman_args(r.root, {"-Q", "libabidemo"})).out == "libabidemo 1:1.0-1\n");
}
