// SPDX-License-Identifier: MIT
// Sysroots (audit/sysroots.h): a folder with its own loader and C library is
// linked inside itself, never against ROOT's folders, and named once.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/audit_image.h"

using namespace abitag::test;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// "SEVERITY KIND FILE" of each finding of the JSON report DOC.
std::vector<std::string> findings_seen(const Json &doc) {
  std::vector<std::string> seen;
  for (const Json &f : doc["findings"])
    seen.push_back(f["severity"].get<std::string>() + " " + f["kind"].get<std::string>() + " " +
                   f["file"].get<std::string>());
  return seen;
}

} // namespace

TEST_CASE("audit links a sysroot's files inside it, not against ROOT's folders", "[audit][sysroot]") {
  TempDir dir;
  // The image's own /lib/ld-linux.so.2 and /usr/lib are ROOT's i386 loader
  // and a folder ROOT's i386 programs search: the sysroot uses neither.
  std::string image = make_audit_image(dir, "sysroot");
  Run r = audit({image, "--only", "linkage", "--json"});
  REQUIRE(r.exit_code == 1);
  Json doc = Json::parse(r.out);
  std::vector<std::string> seen = findings_seen(doc);
  // tool finds the sysroot's libc.so.6 (which alone defines sysroot_only_call)
  // and its /opt/tool/lib through an absolute DT_RUNPATH taken inside it;
  // needs-hostonly does not find ROOT's /usr/lib/libhostonly.so.1.
  CHECK(seen == std::vector<std::string>{"broken-now missing-library /usr/i686-linux-gnu/bin/needs-hostonly",
                                         "broken-now undefined-symbols /usr/i686-linux-gnu/bin/needs-hostonly",
                                         "informational sysroot /usr/i686-linux-gnu"});
  const Json &missing = doc["findings"][0]["details"];
  CHECK(missing["searched"] == Json::array({"/usr/i686-linux-gnu/lib/i386-linux-gnu",
                                            "/usr/i686-linux-gnu/usr/lib/i386-linux-gnu",
                                            "/usr/i686-linux-gnu/lib", "/usr/i686-linux-gnu/usr/lib"}));
  CHECK(doc["findings"][2]["reason"] ==
        "a sysroot for i386-linux-gnu, with its own loader /lib/ld-linux.so.2 and C library /lib/libc.so.6: "
        "its 5 programs and libraries are linked inside it, as where they run");
  Run text = audit({image, "--only", "linkage"});
  CHECK(block(text.out, "INFORMATIONAL") ==
        std::vector<std::string>{"INFORMATIONAL (1)", "  folder /usr: 1 finding on 1 file",
                                 "    /usr/i686-linux-gnu: [linkage/sysroot] a sysroot for i386-linux-gnu, with its own "
                                 "loader /lib/ld-linux.so.2 and C library /lib/libc.so.6: its 5 programs and libraries "
                                 "are linked inside it, as where they run"});
  CHECK(doc["sections"]["linkage"]["sysroots"] ==
        Json::parse(R"([{"path": "/usr/i686-linux-gnu", "target": "i386-linux-gnu", "loader": "/lib/ld-linux.so.2",
                         "libc": "/lib/libc.so.6", "linked": 5}])"));
}

TEST_CASE("audit of this machine's cross toolchains' sysroots finds nothing broken", "[audit][sysroot]") {
  // What scripts/setup --fixtures installs: g++-s390x-linux-gnu and
  // g++-i686-linux-gnu bring their target's loader and C library.
  std::vector<std::string> under;
  for (const char *sysroot : {"/usr/s390x-linux-gnu", "/usr/i686-linux-gnu"})
    if (fs::exists(std::string(sysroot) + "/lib/libc.so.6"))
      under.push_back(sysroot);
  if (under.empty())
    skip("no cross toolchain's sysroot under /usr (scripts/setup --fixtures installs two)");
  std::vector<std::string> args{"/", "--only", "linkage", "--json"};
  for (const std::string &path : under)
    args.insert(args.end(), {"--under", path});
  Json doc = Json::parse(audit(args).out);
  CHECK(doc["counts"]["broken-now"] == 0);
  std::vector<std::string> sysroots;
  for (const Json &s : doc["sections"]["linkage"]["sysroots"])
    sysroots.push_back(s["path"]);
  std::sort(under.begin(), under.end());
  CHECK(sysroots == under);
  for (const Json &f : doc["findings"])
    CHECK(f["kind"] != "no-loader");
}

TEST_CASE("audit links a musl sysroot inside it with musl's rules: its loader is its libc", "[audit][sysroot]") {
  require_tool("ld-musl-config", "musl"); // the package of /lib/ld-musl-x86_64.so.1
  TempDir dir;
  std::string image = make_audit_image(dir, "musl");
  std::string loader = image + "/opt/alpine/lib/ld-musl-x86_64.so.1";
  fs::create_directories(image + "/opt/alpine/lib");
  fs::copy_file(fs::canonical("/lib/ld-musl-x86_64.so.1"), loader);
  Run r = audit({image, "--only", "linkage", "--json"});
  REQUIRE(r.exit_code == 1);
  Json doc = Json::parse(r.out);
  std::vector<std::string> seen = findings_seen(doc);
  // hello and greeter need libc.so, which musl's loader answers itself;
  // greeter finds libgreet.so.1 in musl's default /usr/lib, inside the
  // sysroot; needs-hostonly does not find ROOT's libhostonly.so.1.
  CHECK(seen == std::vector<std::string>{"broken-now missing-library /opt/alpine/bin/needs-hostonly",
                                         "informational sysroot /opt/alpine"});
  CHECK(doc["findings"][0]["details"]["searched"] ==
        Json::array({"/opt/alpine/lib", "/opt/alpine/usr/local/lib", "/opt/alpine/usr/lib"}));
  CHECK(doc["sections"]["linkage"]["sysroots"] ==
        Json::parse(R"([{"path": "/opt/alpine", "target": "x86_64-linux-musl", "loader": "/lib/ld-musl-x86_64.so.1",
                         "libc": "/lib/ld-musl-x86_64.so.1", "linked": 5}])"));
  // musl's loader agrees: greeter runs with the sysroot's /usr/lib, and
  // needs-hostonly does not load.
  std::string lib = image + "/opt/alpine/usr/lib";
  Run greeter = run(loader, {"--library-path", lib, image + "/opt/alpine/bin/greeter"});
  CHECK(greeter.exit_code == 0);
  CHECK(greeter.out == "hello, musl\n");
  Run hostonly = run(loader, {"--library-path", lib, image + "/opt/alpine/bin/needs-hostonly"});
  CHECK(hostonly.exit_code != 0);
  CHECK(hostonly.err.find("Error loading shared library libhostonly.so.1") != std::string::npos);
}

TEST_CASE("audit links a musl program and library of ROOT itself with musl's rules", "[audit][sysroot]") {
  require_tool("ld-musl-config", "musl");
  TempDir dir;
  std::string image = make_audit_image(dir, "musl");
  // ROOT has musl's loader, as Debian's musl package installs it; programs
  // musl-gcc built live in /usr/local/bin, a library of theirs (which needs
  // musl's libc.so, and has no PT_INTERP to say so) in musl's /usr/lib.
  std::string loader = image + "/usr/lib/ld-musl-x86_64.so.1"; // /lib is usr/lib
  fs::copy_file(fs::canonical("/lib/ld-musl-x86_64.so.1"), loader);
  fs::create_directories(image + "/usr/local/bin");
  for (const char *program : {"hello", "greeter"})
    fs::copy_file(image + "/opt/alpine/bin/" + program, image + "/usr/local/bin/" + program);
  fs::copy_file(image + "/opt/alpine/usr/lib/libgreet.so.1", image + "/usr/lib/libgreet.so.1");
  fs::remove_all(image + "/opt");
  Run r = audit({image, "--only", "linkage", "--json"});
  INFO(r.out);
  CHECK(r.exit_code == 0);
  Json doc = Json::parse(r.out);
  CHECK(doc["counts"]["broken-now"] == 0);
  CHECK(doc["findings"].empty());
  // It needs libc.so, which musl's loader is: musl runs it.
  Run hello = run(loader, {image + "/usr/local/bin/hello"});
  CHECK(hello.exit_code == 0);
  CHECK(hello.out == "hello\n");
  Run greeter = run(loader, {"--library-path", image + "/usr/lib", image + "/usr/local/bin/greeter"});
  CHECK(greeter.exit_code == 0);
  CHECK(greeter.out == "hello, musl\n");
}
