// SPDX-License-Identifier: MIT
// What a person reads of `abitag audit`, through the real binary: masks
// (--exclude, ROOT's /etc/abitag/audit.conf) and what each hid, the text
// report grouped by package or folder, --verbose and --severity.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/audit_image.h"

using namespace abitag::test;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

void write_audit_conf(const std::string &image, const std::string &text) {
  fs::create_directories(image + "/etc/abitag");
  write_file(image + "/etc/abitag/audit.conf", text);
}

} // namespace

TEST_CASE("audit masks: --exclude and audit.conf hide findings, and the summary counts each", "[audit][masks]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  write_audit_conf(image, "# what this root's audit is not to report\n"
                          "\n"
                          "  mask-library libgone.so.*\n"
                          "exclude /opt/nothing here/*\n");
  Run r = audit({image, "--only", "linkage", "--exclude", "/usr/bin/needs-ver2", "--exclude", "*/only32"});
  REQUIRE(r.exit_code == 1); // shapes is still broken
  CHECK(block(r.out, "BROKEN NOW") ==
        std::vector<std::string>{
            "BROKEN NOW (2)", "  folder /usr/bin: 2 findings on 1 file",
            "    /usr/bin/shapes: [linkage/dual-abi-mismatch] undefined symbol shape::name[abi:cxx11](int): it was "
            "built with the C++11 dual ABI (_GLIBCXX_USE_CXX11_ABI=1, GCC 5 and later's default), but "
            "/usr/lib/libshape.so.1 exports only shape::name(int), built with the old ABI "
            "(_GLIBCXX_USE_CXX11_ABI=0); the two differ only by the dual ABI",
            "    /usr/bin/shapes: [linkage/dual-abi-mismatch] undefined symbol shape::count(std::__cxx11::basic_"
            "string<char, std::char_traits<char>, std::allocator<char> > const&): it was built with the C++11 dual "
            "ABI (_GLIBCXX_USE_CXX11_ABI=1, GCC 5 and later's default), but /usr/lib/libshape.so.1 exports only "
            "shape::count(std::string const&), built with the old ABI (_GLIBCXX_USE_CXX11_ABI=0); the two "
            "differ only by the dual ABI",
            "    rebuild: /usr/lib/libshape.so.1 with the C++11 dual ABI (_GLIBCXX_USE_CXX11_ABI=1, GCC 5 and later's "
            "default)"});
  CHECK(r.out.find("AT RISK") == std::string::npos);
  std::vector<std::string> summary = block(r.out, "SUMMARY");
  // needs-ver2: its missing version and symbol; only32: its library and
  // symbol; needs-gone: its library, and the symbol that library defines.
  CHECK(std::vector<std::string>(summary.end() - 5, summary.end()) ==
        std::vector<std::string>{"  masked: 2 findings hidden by exclude /usr/bin/needs-ver2 (--exclude)",
                                 "  masked: 2 findings hidden by exclude */only32 (--exclude)",
                                 "  masked: 2 findings hidden by mask-library libgone.so.* (/etc/abitag/audit.conf:3)",
                                 "  masked: 0 findings hidden by exclude /opt/nothing here/* (/etc/abitag/audit.conf:4)",
                                 "  2 broken now, 0 at risk, 0 informational"});

  Json doc = Json::parse(audit({image, "--only", "linkage", "--json", "--exclude", "/usr/bin"}).out);
  // only32's missing library, and libneeds-bits.so's symbols, which no host under ROOT defines.
  CHECK(doc["counts"]["broken-now"] == 2);
  CHECK(doc["masks"] == Json::parse(R"([
    {"mask": "exclude", "pattern": "/usr/bin", "source": "--exclude", "hidden": 6},
    {"mask": "mask-library", "pattern": "libgone.so.*", "source": "/etc/abitag/audit.conf:3", "hidden": 0},
    {"mask": "exclude", "pattern": "/opt/nothing here/*", "source": "/etc/abitag/audit.conf:4", "hidden": 0}])"));
}

TEST_CASE("audit masks: a bad line of audit.conf is one error naming file and line, exit 3", "[audit][masks]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "clean");
  std::string conf = fs::canonical(image).string() + "/etc/abitag/audit.conf";
  for (const auto &[text, error] : std::vector<std::pair<std::string, std::string>>{
           {"exclude /opt\nfrobnicate /x\n", ":2: unknown setting 'frobnicate' (the settings are exclude and mask-library)"},
           {"# a comment\nexclude\n", ":2: exclude needs a pattern"},
           {"exclude opt/*\n", ":1: an exclude pattern is an absolute path inside ROOT, or starts with '*'"},
           {"mask-library /usr/lib/libjvm.so\n", ":1: mask-library takes a soname pattern, not a path"}}) {
    write_audit_conf(image, text);
    Run r = audit({image});
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err == "abitag: " + conf + error + "\n");
  }
  Run usage = audit({image, "--exclude", "usr/*"});
  CHECK(usage.exit_code == 2);
  CHECK(usage.err.find("--exclude: an exclude pattern is an absolute path inside ROOT") != std::string::npos);
}

TEST_CASE("audit report: groups by package when a database owns the files, --severity picks what is shown",
          "[audit][report]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  write_dpkg(image, {{"gone-user", "/usr/bin/needs-gone"}, {"only32-user", "/opt/only32/libneeds-bits.so"}});
  // A library cut short: one finding at risk (it cannot be read).
  std::string libm = read_file(fs::canonical("/lib/x86_64-linux-gnu/libm.so.6").string());
  write_file(image + "/usr/lib/libdamaged.so.1", libm.substr(0, 3000));
  Run r = audit({image, "--only", "linkage", "--severity", "at-risk"});
  REQUIRE(r.exit_code == 1);
  std::vector<std::string> broken = block(r.out, "BROKEN NOW");
  REQUIRE(broken.size() > 9);
  CHECK(std::vector<std::string>(broken.begin(), broken.begin() + 8) ==
        std::vector<std::string>{
            "BROKEN NOW (8)", "  package only32-user 1.0-1: 2 findings on 1 file",
            "    /opt/only32/libneeds-bits.so: [linkage/missing-library] needs libbits.so.1, which is not in any "
            "folder it is searched in; passed over: /opt/only32/lib/libbits.so.1: another ELF class or machine",
            "    /opt/only32/libneeds-bits.so: [linkage/undefined-symbols] 1 undefined symbol that nothing it loads "
            "defines: bits_value; no program or library under ROOT that could load it defines it: bits_value",
            "    rebuild: only32-user 1.0-1", "  package gone-user 1.0-1: 2 findings on 1 file",
            "    /usr/bin/needs-gone: [linkage/missing-library] needs libgone.so.1, which is not in any folder it is "
            "searched in",
            "    /usr/bin/needs-gone: [linkage/undefined-symbols] 1 undefined symbol that nothing it loads defines: "
            "gone_value"});
  // The package once, however many of its findings say to rebuild it.
  CHECK(broken[8] == "    rebuild: gone-user 1.0-1");
  CHECK(broken[9] == "  folder /usr/bin: 4 findings on 2 files");
  std::vector<std::string> at_risk = block(r.out, "AT RISK");
  REQUIRE(at_risk.size() == 3);
  CHECK(at_risk[0] == "AT RISK (1)");
  CHECK(at_risk[1] == "  folder /usr/lib: 1 finding on 1 file");
  // The segment's size is this machine's libm's.
  CHECK(at_risk[2].rfind("    /usr/lib/libdamaged.so.1: [linkage/unreadable] cannot be read: a PT_LOAD segment (", 0) == 0);

  Run only_broken = audit({image, "--only", "linkage", "--severity", "broken"});
  CHECK(only_broken.exit_code == 1);
  CHECK(only_broken.out.find("AT RISK") == std::string::npos);
  CHECK(block(only_broken.out, "SUMMARY").back() == "  8 broken now, 1 at risk, 0 informational");
  Json doc = Json::parse(audit({image, "--only", "linkage", "--severity", "broken", "--json"}).out);
  CHECK(doc["findings"].size() == 8);
  CHECK(doc["counts"]["at-risk"] == 1);
  CHECK(audit({image, "--severity", "some"}).exit_code == 2);
}
