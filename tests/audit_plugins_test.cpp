// SPDX-License-Identifier: MIT
// Plugins and their hosts, and libraries a host loads first by path, on a
// system image with files compiled here: a program exporting what a plugin
// needs, a plugin no program under ROOT can host, and a kit whose library
// needs a soname only its own tree has (as the JDK's libjava.so needs
// lib/server/libjvm.so).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "audit/plugin_hosts.h"
#include "tests/audit_image.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

// Compiles the C SOURCE to OUTPUT inside IMAGE with the gcc ARGS given.
void compile(const std::string &image, const std::string &output, const std::string &source,
             std::vector<std::string> args) {
  fs::create_directories(fs::path(image + output).parent_path());
  std::string file = image + output + ".c";
  std::ofstream(file) << source;
  args.insert(args.begin(), {"-o", image + output, file}); // the libraries after the source
  Run r = run("gcc", args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  fs::remove(file);
}

std::string plugin_image(const TempDir &dir) {
  require_tool("gcc", "gcc");
  std::string image = make_audit_image(dir, "clean");
  const std::vector<std::string> library{"-shared", "-fPIC"};
  compile(image, "/usr/bin/hostprog", "int host_api(int x) { return x + 1; }\nint main(void) { return 0; }\n",
          {"-rdynamic"});
  compile(image, "/usr/lib/hostprog/plugin.so", "int host_api(int);\nint entry(void) { return host_api(1); }\n",
          library);
  compile(image, "/usr/lib/hostprog/orphan.so", "int nowhere_api(int);\nint entry(void) { return nowhere_api(1); }\n",
          library);
  std::vector<std::string> core = library;
  core.push_back("-Wl,-soname,libcore.so");
  compile(image, "/opt/kit/lib/server/libcore.so", "int core_api(void) { return 7; }\n", core);
  std::vector<std::string> user = library;
  user.insert(user.end(), {"-L" + image + "/opt/kit/lib/server", "-lcore"});
  // Linked by a path gcc finds, loaded by a soname on no search path.
  user.push_back("-Wl,--disable-new-dtags");
  compile(image, "/opt/kit/lib/libuser.so", "int core_api(void);\nint user_api(void) { return core_api(); }\n",
          user);
  compile(image, "/opt/kit/bin/kit", "int main(void) { return 0; }\n", {});
  // The same need with no file of that soname anywhere stays broken.
  compile(image, "/opt/lone/lib/server/libgone.so", "int gone_api(void) { return 7; }\n",
          {"-shared", "-fPIC", "-Wl,-soname,libgone.so"});
  compile(image, "/opt/lone/lib/liblone.so", "int gone_api(void);\nint lone_api(void) { return gone_api(); }\n",
          {"-shared", "-fPIC", "-L" + image + "/opt/lone/lib/server", "-lgone"});
  fs::remove(image + "/opt/lone/lib/server/libgone.so");
  return image;
}

} // namespace

TEST_CASE("audit names a plugin's host, and calls a plugin no program can host broken", "[audit][plugins]") {
  TempDir dir;
  std::string image = plugin_image(dir);
  Run r = audit({image, "--only", "linkage"});
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("  /usr/lib/hostprog/plugin.so: [linkage/plugin] plugin of /usr/bin/hostprog: the 1 symbol it "
                   "leaves undefined (host_api) are defined there\n") != std::string::npos);
  CHECK(r.out.find("  /usr/lib/hostprog/orphan.so: [linkage/undefined-symbols] 1 undefined symbol that nothing it "
                   "loads defines: nowhere_api; no program or library under ROOT that could load it defines it: "
                   "nowhere_api\n") != std::string::npos);
  std::size_t broken = r.out.find("\nBROKEN NOW");
  REQUIRE(broken != std::string::npos);
  CHECK(r.out.find("/usr/lib/hostprog/orphan.so:", broken) != std::string::npos);
}

TEST_CASE("audit: a library a host loads first by path is at risk, a soname nowhere is broken", "[audit][plugins]") {
  TempDir dir;
  std::string image = plugin_image(dir);
  Run r = audit({image, "--only", "linkage"});
  INFO(r.out);
  CHECK(r.out.find("  /opt/kit/lib/libuser.so: [linkage/loaded-by-path] needs libcore.so, which is not in any folder "
                   "it is searched in: resolves only when /opt/kit/bin/kit has loaded /opt/kit/lib/server/libcore.so "
                   "first\n") != std::string::npos);
  // What it loads by path defines what it needs.
  CHECK(r.out.find("/opt/kit/lib/libuser.so: [linkage/undefined-symbols]") == std::string::npos);
  CHECK(r.out.find("  /opt/lone/lib/liblone.so: [linkage/missing-library] needs libgone.so, which is not in any "
                   "folder it is searched in\n") != std::string::npos);
  // The loader agrees that neither resolves on its own.
  LddVerdict user = ldd_verdict(image + "/opt/kit/lib/libuser.so");
  REQUIRE(user.ran);
  CHECK(user.not_found.count("libcore.so") == 1);
}

TEST_CASE("audit: a private library beside the one its program loads first is at risk, with that program named",
          "[audit][plugins]") {
  require_tool("gcc", "gcc");
  TempDir dir;
  std::string image = make_audit_image(dir, "clean");
  // As systemd's private folder: the program finds both libraries through
  // its RUNPATH; the core library needs the shared one by a soname on no
  // search path of its own, and resolves because the program loaded it.
  std::string folder = "/usr/lib/x86_64-linux-gnu/svc";
  compile(image, folder + "/libsvc-shared.so", "int shared_api(void) { return 7; }\n",
          {"-shared", "-fPIC", "-Wl,-soname,libsvc-shared.so"});
  compile(image, folder + "/libsvc-core.so", "int shared_api(void);\nint core_api(void) { return shared_api(); }\n",
          {"-shared", "-fPIC", "-Wl,-soname,libsvc-core.so", "-L" + image + folder, "-lsvc-shared"});
  compile(image, "/usr/bin/svc", "int core_api(void);\nint main(void) { return core_api(); }\n",
          {"-L" + image + folder, "-lsvc-core", "-lsvc-shared", "-Wl,-rpath," + folder});
  Run r = audit({image, "--only", "linkage"});
  INFO(r.out);
  CHECK(r.out.find("  " + folder + "/libsvc-core.so: [linkage/loaded-by-path] needs libsvc-shared.so, which is not in "
                   "any folder it is searched in: resolves only when /usr/bin/svc has loaded " + folder +
                   "/libsvc-shared.so first\n") != std::string::npos);
  CHECK(r.out.find("BROKEN NOW") == std::string::npos);
  // On its own it does not resolve: the loader agrees.
  LddVerdict core = ldd_verdict(image + folder + "/libsvc-core.so");
  REQUIRE(core.ran);
  CHECK(core.not_found.count("libsvc-shared.so") == 1);
}

TEST_CASE("a Python extension's suffix and a Perl XS module's archname folder name their interpreter", "[audit][plugins]") {
  using abitag::audit::convention_refuses;
  CHECK(convention_refuses("/usr/bin/python3.11", "/usr/lib/python3/dist-packages/x.cpython-312-x86_64-linux-gnu.so") ==
        "it is built for Python 3.12 and /usr/bin/python3.11 is Python 3.11");
  CHECK(convention_refuses("/usr/bin/python3.11", "/usr/lib/python3/dist-packages/x.cpython-311-x86_64-linux-gnu.so") ==
        "");
  CHECK(convention_refuses("/opt/py/lib/libpython3.10.so.1.0", "/opt/py/lib/python3.9/lib-dynload/x.so") ==
        "it is built for Python 3.9 and /opt/py/lib/libpython3.10.so.1.0 is Python 3.10");
  CHECK(convention_refuses("/usr/bin/python3.11", "/usr/lib/python3/dist-packages/x.abi3.so") == "");
  CHECK(convention_refuses("/usr/lib/x86_64-linux-gnu/libperl.so.5.36",
                           "/usr/lib/x86_64-linux-gnu/perl5/5.32/auto/X/X.so") ==
        "it is built for Perl 5.32 and /usr/lib/x86_64-linux-gnu/libperl.so.5.36 is Perl 5.36");
  CHECK(convention_refuses("/usr/lib/x86_64-linux-gnu/libperl.so.5.36",
                           "/usr/lib/x86_64-linux-gnu/perl/5.36.0/auto/B/B.so") == "");
}

namespace {

// What the real loader says of PROGRAM with MODULES preloaded in that order
// (as a host loads its modules with RTLD_GLOBAL): its undefined symbols.
std::string loader_trace(const std::string &program, const std::vector<std::string> &modules) {
  std::string preload;
  for (const std::string &module : modules)
    preload += (preload.empty() ? "" : " ") + module;
  Run r = run("env", {"LD_TRACE_LOADED_OBJECTS=1", "LD_BIND_NOW=1", "LD_WARN=yes", "/lib64/ld-linux-x86-64.so.2",
                      "--preload", preload, program});
  return r.out + r.err;
}

} // namespace

TEST_CASE("audit: a fellow module of a plugin folder's subfolder is loaded first, none in a library search folder",
          "[audit][plugins]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "plugins");
  Run r = audit({image, "--only", "linkage"});
  INFO(r.out);
  CHECK(r.exit_code == 1);
  // As zsh's zftp.so, whose tcp_* come from zsh/net/tcp.so.
  CHECK(r.out.find("  /usr/lib/modhost/mods/ftp.so: [linkage/plugin] plugin of /usr/bin/modhost: the 2 symbols it "
                   "leaves undefined (host_api, net_connect) are defined there, and by "
                   "/usr/lib/modhost/mods/net/tcp.so, which it loads before it\n") != std::string::npos);
  // As libunwind-ptrace.so.0: libraries beside it are not loaded for it.
  CHECK(r.out.find("  /usr/lib/x86_64-linux-gnu/libunderlinked.so: [linkage/undefined-symbols] 2 undefined symbols "
                   "that nothing it loads defines: gen_api, pack_api; no one program or library under ROOT defines "
                   "them all\n") != std::string::npos);
  CHECK(r.out.find("plugin of /usr/bin/packer") == std::string::npos);
  CHECK(block(r.out, "BROKEN NOW") ==
        std::vector<std::string>{"BROKEN NOW (1)", "  folder /usr/lib/x86_64-linux-gnu: 1 finding on 1 file",
                                 "    /usr/lib/x86_64-linux-gnu/libunderlinked.so: [linkage/undefined-symbols] 2 "
                                 "undefined symbols that nothing it loads defines: gen_api, pack_api; no one program "
                                 "or library under ROOT defines them all",
                                 "    rebuild: /usr/lib/x86_64-linux-gnu/libunderlinked.so"});
  // The real loader agrees: ftp.so binds in modhost once tcp.so is loaded
  // before it, and not without it.
  std::string host = image + "/usr/bin/modhost", mods = image + "/usr/lib/modhost/mods";
  std::string alone = loader_trace(host, {mods + "/ftp.so"});
  CHECK(alone.find("undefined symbol: net_connect") != std::string::npos);
  std::string with_fellow = loader_trace(host, {mods + "/net/tcp.so", mods + "/ftp.so"});
  INFO(with_fellow);
  CHECK(with_fellow.find("libc.so.6") != std::string::npos);
  CHECK(with_fellow.find("undefined symbol") == std::string::npos);
}

TEST_CASE("audit --severity broken: only the files broken now are packages to rebuild", "[audit][plugins]") {
  TempDir dir;
  std::string image = plugin_image(dir);
  write_dpkg(image, {{"kit", "/opt/kit/lib/libuser.so"},
                     {"hostprog-orphan", "/usr/lib/hostprog/orphan.so"},
                     {"lone", "/opt/lone/lib/liblone.so"}});
  Run broken = audit({image, "--only", "linkage", "--severity", "broken"});
  INFO(broken.out);
  CHECK(broken.exit_code == 1);
  CHECK(block(broken.out, "PACKAGES TO REBUILD") ==
        std::vector<std::string>{"PACKAGES TO REBUILD, dependencies first (2)", "  hostprog-orphan 1.0-1",
                                 "    /usr/lib/hostprog/orphan.so", "  lone 1.0-1", "    /opt/lone/lib/liblone.so"});
  CHECK(broken.out.find("AT RISK") == std::string::npos);
  CHECK(broken.out.find("kit 1.0-1") == std::string::npos);
  Run lines = audit({image, "--only", "linkage", "--severity", "broken", "--format", "lines"});
  CHECK(lines.out == "hostprog-orphan\nlone\n");
  // Without the cut, the library at risk is to rebuild too.
  Run all = audit({image, "--only", "linkage"});
  INFO(all.out);
  CHECK(block(all.out, "PACKAGES TO REBUILD") ==
        std::vector<std::string>{"PACKAGES TO REBUILD, dependencies first (3)", "  hostprog-orphan 1.0-1",
                                 "    /usr/lib/hostprog/orphan.so", "  kit 1.0-1", "    /opt/kit/lib/libuser.so",
                                 "  lone 1.0-1", "    /opt/lone/lib/liblone.so"});
}

namespace {

// The plugins tree with a module (uses-helper.so) that needs the host and
// helper.so beside it, which needs nothing from the host: a library, not
// a module the host loads, so not loaded for uses-helper.so.
std::string image_with_helper_library(const TempDir &dir, const std::string &mods) {
  require_tool("gcc", "gcc");
  std::string image = make_audit_image(dir, "plugins");
  const std::vector<std::string> module{"-shared", "-fPIC", "-nostdlib"};
  compile(image, mods + "/helper.so", "int helper_api(int x) { return x; }\n", module);
  compile(image, mods + "/uses-helper.so",
          "int host_api(int);\nint helper_api(int);\nint use(void) { return helper_api(host_api(1)); }\n", module);
  return image;
}

} // namespace

TEST_CASE("audit: a fellow module is a plugin itself and not a library beside the plugin", "[audit][plugins]") {
  TempDir dir;
  std::string mods = "/usr/lib/modhost/mods";
  Run r = audit({image_with_helper_library(dir, mods), "--only", "linkage"});
  INFO(r.out);
  CHECK(r.out.find("  " + mods + "/uses-helper.so: [linkage/undefined-symbols] 2 undefined symbols that nothing it "
                   "loads defines: host_api, helper_api; no one program or library under ROOT defines them all\n") !=
        std::string::npos);
  // The fellow modules that are plugins still count.
  CHECK(r.out.find("  " + mods + "/ftp.so: [linkage/plugin] plugin of /usr/bin/modhost") != std::string::npos);
}
