// SPDX-License-Identifier: MIT
// `abitag audit` on fixture systems built by scripts/make-fixtures-audit:
// every finding of the broken tree, nothing on the clean one, and the
// command's report formats and exit codes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/audit_image.h"

using namespace abitag::test;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

std::vector<Json> findings_of(const Json &doc, const std::string &kind, const std::string &file) {
  std::vector<Json> out;
  for (const Json &f : doc["findings"])
    if (f["kind"] == kind && f["file"] == file)
      out.push_back(f);
  return out;
}

std::size_t serious(const Json &doc) {
  return doc["counts"]["broken-now"].get<std::size_t>() + doc["counts"]["at-risk"].get<std::size_t>();
}

} // namespace

TEST_CASE("audit of a broken tree: dual ABI mismatch explained, with the side to rebuild", "[audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  Run r = audit({image, "--json"});
  REQUIRE(r.exit_code == 1);
  Json doc = Json::parse(r.out);
  CHECK(doc["root"] == fs::canonical(image).string());

  std::vector<Json> mismatches = findings_of(doc, "dual-abi-mismatch", "/usr/bin/shapes");
  REQUIRE(mismatches.size() == 2);
  std::set<std::string> symbols, instead;
  for (const Json &f : mismatches) {
    CHECK(f["severity"] == "broken-now");
    CHECK(f["details"]["library"] == "/usr/lib/libshape.so.1");
    CHECK(f["details"]["importer_abi"] == "new");
    CHECK(f["details"]["exporter_abi"] == "old");
    // The rest of the image (libstdc++'s users) is new-ABI: the library is the odd one out.
    CHECK(f["details"]["rebuild"] == "library");
    REQUIRE(f["rebuild"].size() == 1);
    CHECK(f["rebuild"][0].get<std::string>().rfind("/usr/lib/libshape.so.1 with the C++11 dual ABI", 0) == 0);
    CHECK(f["reason"].get<std::string>().find("differ only by the dual ABI") != std::string::npos);
    symbols.insert(f["details"]["symbol"]);
    instead.insert(f["details"]["exported_instead"]);
  }
  CHECK(symbols == std::set<std::string>{"_ZN5shape4nameB5cxx11Ei",
                                         "_ZN5shape5countERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE"});
  CHECK(instead == std::set<std::string>{"_ZN5shape4nameEi", "_ZN5shape5countERKSs"});
  // The census sees the rebuilt library as old ABI.
  CHECK(doc["sections"]["cxxabi"]["families"]["old"] == 1);
}

TEST_CASE("audit of a broken tree: a missing soname, and a 32-bit library passed over", "[audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  Json doc = Json::parse(audit({image, "--json"}).out);

  std::vector<Json> gone = findings_of(doc, "missing-library", "/usr/bin/needs-gone");
  REQUIRE(gone.size() == 1);
  CHECK(gone[0]["severity"] == "broken-now");
  CHECK(gone[0]["details"]["library"] == "libgone.so.1");
  std::vector<std::string> searched = gone[0]["details"]["searched"];
  CHECK(searched == std::vector<std::string>{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"});
  // What a missing library leaves undefined is reported too, as the loader does.
  REQUIRE(findings_of(doc, "undefined-symbols", "/usr/bin/needs-gone").size() == 1);

  std::vector<Json> bits = findings_of(doc, "missing-library", "/opt/only32/libneeds-bits.so");
  REQUIRE(bits.size() == 1);
  CHECK(bits[0]["details"]["library"] == "libbits.so.1");
  CHECK(bits[0]["details"]["passed_over"] ==
        Json::array({"/opt/only32/lib/libbits.so.1: another ELF class or machine"}));

  // A library's undefined symbol may come from the program loading it, but
  // nothing under ROOT defines bits_value: no host can load it.
  std::vector<Json> bits_symbols = findings_of(doc, "undefined-symbols", "/opt/only32/libneeds-bits.so");
  REQUIRE(bits_symbols.size() == 1);
  CHECK(bits_symbols[0]["severity"] == "broken-now");
  CHECK(bits_symbols[0]["reason"] == "1 undefined symbol that nothing it loads defines: bits_value; no program or "
                                     "library under ROOT that could load it defines it: bits_value");
  // A version the installed library does not define.
  std::vector<Json> version = findings_of(doc, "missing-version", "/usr/bin/needs-ver2");
  REQUIRE(version.size() == 1);
  CHECK(version[0]["severity"] == "broken-now");
  CHECK(version[0]["details"]["version"] == "VER_2");
  CHECK(version[0]["details"]["library_path"] == "/usr/lib/libver.so.1");
  std::vector<Json> ver_symbols = findings_of(doc, "undefined-symbols", "/usr/bin/needs-ver2");
  REQUIRE(ver_symbols.size() == 1);
  CHECK(ver_symbols[0]["details"]["symbols"] == Json::array({{{"name", "ver_new"}, {"version", "VER_2"}, {"demangled", "ver_new"}}}));
  // Nothing else: the runtime copied in links.
  CHECK(doc["counts"]["broken-now"] == 2 + 2 + 1 + 1 + 2);
  CHECK(doc["counts"]["at-risk"] == 0);
}

TEST_CASE("audit of a clean tree reports nothing: $ORIGIN runpath, 32-bit beside 64-bit", "[audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "clean");
  Run r = audit({image, "--json"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  Json doc = Json::parse(r.out);
  CHECK(serious(doc) == 0);
  CHECK(doc["sections"]["linkage"]["missing_libraries"] == 0);
  CHECK(doc["sections"]["linkage"]["undefined_symbols"] == 0);
  CHECK(doc["sections"]["linkage"]["linked"] == 9 + 6); // the tree's files and the runtime's
  CHECK(doc["sections"]["linkage"]["no_loader"] == 0);
  CHECK(doc["sections"]["cxxabi"]["families"]["new"].get<int>() >= 2); // libshape, shapes
  // Only worth knowing: a library carrying its own copy of libstdc++ (libstdc++ itself is not named).
  CHECK(doc["counts"]["informational"] == 1);
  std::vector<Json> embeds = findings_of(doc, "embeds-stdlib", "/opt/embed/libembed.so");
  REQUIRE(embeds.size() == 1);
  CHECK(embeds[0]["severity"] == "informational");
  CHECK(doc["sections"]["cxxabi"]["embeds_stdlib"] == Json::array({"/opt/embed/libembed.so"}));

  Run text = audit({image});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("BROKEN NOW") == std::string::npos);
  CHECK(text.out.find("AT RISK") == std::string::npos);
  CHECK(text.out.find("linkage: 15 programs and libraries linked: 0 missing libraries, 0 missing versions, "
                      "0 undefined symbols") != std::string::npos);
}

TEST_CASE("audit text report groups findings by severity, then folder, with what to rebuild", "[audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  Run r = audit({image});
  REQUIRE(r.exit_code == 1);
  std::size_t broken = r.out.find("\nBROKEN NOW (8)\n");
  REQUIRE(broken != std::string::npos);
  std::size_t summary = r.out.find("\nSUMMARY\n");
  REQUIRE(summary > broken);
  // Grouped by folder (no package database): a few findings a group, then
  // what to rebuild, each file once.
  CHECK(block(r.out, "BROKEN NOW") ==
        std::vector<std::string>{
            "BROKEN NOW (8)", "  folder /opt/only32: 2 findings on 1 file",
            "    /opt/only32/libneeds-bits.so: [linkage/missing-library] needs libbits.so.1, which is not in any "
            "folder it is searched in; passed over: /opt/only32/lib/libbits.so.1: another ELF class or machine",
            "    /opt/only32/libneeds-bits.so: [linkage/undefined-symbols] 1 undefined symbol that nothing it loads "
            "defines: bits_value; no program or library under ROOT that could load it defines it: bits_value",
            "    rebuild: /opt/only32/libneeds-bits.so, or install what provides libbits.so.1",
            "  folder /usr/bin: 6 findings on 3 files",
            "    /usr/bin/needs-gone: [linkage/missing-library] needs libgone.so.1, which is not in any folder it is "
            "searched in",
            "    /usr/bin/needs-gone: [linkage/undefined-symbols] 1 undefined symbol that nothing it loads defines: "
            "gone_value",
            "    /usr/bin/needs-ver2: [linkage/missing-version] needs version VER_2 of libver.so.1, which "
            "/usr/lib/libver.so.1 does not define",
            "    ... 3 more findings (--verbose lists them)",
            "    rebuild: /usr/bin/needs-gone, or install what provides libgone.so.1",
            "    rebuild: /usr/bin/needs-ver2, against the installed libver.so.1",
            "    rebuild: /usr/lib/libshape.so.1 with the C++11 dual ABI (_GLIBCXX_USE_CXX11_ABI=1, GCC 5 and "
            "later's default)"});
  Run verbose = audit({image, "--verbose"});
  std::size_t shapes =
      verbose.out.find("\n    /usr/bin/shapes: [linkage/dual-abi-mismatch] undefined symbol shape::name[abi:cxx11](int)");
  CHECK(shapes != std::string::npos);
  CHECK(shapes < verbose.out.find("\nSUMMARY\n"));
  CHECK(verbose.out.find("more findings") == std::string::npos);
  // libstdc++.so.6 defines the std instances of both dual-ABI flavours (its
  // transaction clones are the standard library's, not an interface): mixed.
  CHECK(r.out.find("  cxxabi: 13 ELF files: libc++ 0, mixed 1, new 0, none 11, old 1") != std::string::npos);
  CHECK(r.err.empty()); // no progress bar when stderr is not a terminal
}

TEST_CASE("audit --only runs the named sections", "[audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  Json census = Json::parse(audit({image, "--json", "--only", "cxxabi"}).out);
  CHECK(census["sections"].size() == 1);
  CHECK(census["sections"].contains("cxxabi"));
  CHECK(census["counts"]["broken-now"] == 0);
  Run linkage = audit({image, "--json", "--only", "linkage,cxxabi"});
  CHECK(linkage.exit_code == 1);
  CHECK(Json::parse(linkage.out)["sections"].size() == 2);
  Run unknown = audit({image, "--only", "cxxabi,nonsense"});
  CHECK(unknown.exit_code == 2);
}

TEST_CASE("audit --under audits part of ROOT, resolving libraries in all of it", "[audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  Json doc = Json::parse(audit({image, "--json", "--under", "/usr/bin"}).out);
  // needs-gone, needs-ver2, shapes, and the 7 libraries they load
  CHECK(doc["files_read"] == 3 + 7);
  CHECK(doc["sections"]["linkage"]["linked"] == 3);
  CHECK(findings_of(doc, "dual-abi-mismatch", "/usr/bin/shapes").size() == 2);
  CHECK(findings_of(doc, "missing-library", "/opt/only32/libneeds-bits.so").empty());
  Run missing = audit({image, "--under", "/nowhere"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.out.empty());
}

TEST_CASE("audit --memory bounds the symbol tables kept, and those not kept are read again, same report", "[audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  Run kept = audit({image, "--json"});
  Run reread = audit({image, "--json", "--memory", "0"});
  REQUIRE(kept.exit_code == 1);
  REQUIRE(reread.exit_code == 1);
  Json all = Json::parse(kept.out), none = Json::parse(reread.out);
  CHECK(all["sections"]["linkage"]["symbol_tables_reread"] == 0);
  // Every check reads its file and every library in its scope again.
  CHECK(none["sections"]["linkage"]["symbol_tables_reread"].get<std::size_t>() >
        none["sections"]["linkage"]["linked"].get<std::size_t>());
  none["sections"]["linkage"].erase("symbol_tables_reread");
  all["sections"]["linkage"].erase("symbol_tables_reread");
  CHECK(none == all);
  CHECK(audit({image, "--memory", "-1"}).exit_code == 2);
  CHECK(audit({image, "--memory", "lots"}).exit_code == 2);
}

TEST_CASE("audit: an unusable ROOT exits 3, a damaged file under it is a finding", "[audit]") {
  Run missing = audit({"/nonexistent/image"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.out.empty());
  CHECK(missing.err == "abitag: /nonexistent/image: No such file or directory\n");
  Run file = audit({fixture("audit/src/shape.h")});
  CHECK(file.exit_code == 3);
  CHECK(file.err == "abitag: " + fixture("audit/src/shape.h") + ": not a directory\n");

  TempDir dir;
  std::string image = make_audit_image(dir, "clean");
  // A library cut short, as a full disk during an upgrade would leave it.
  std::string lib = image + "/opt/origin/lib/libhelper.so.1";
  fs::resize_file(lib, 200);
  Run r = audit({image, "--json"});
  Json doc = Json::parse(r.out);
  std::vector<Json> unreadable = findings_of(doc, "unreadable", "/opt/origin/lib/libhelper.so.1");
  REQUIRE(unreadable.size() == 1);
  CHECK(unreadable[0]["severity"] == "at-risk");
  // Its dependant cannot load it: broken, naming the damage.
  std::vector<Json> needs = findings_of(doc, "missing-library", "/opt/origin/bin/origin-app");
  REQUIRE(needs.size() == 1);
  CHECK(needs[0]["reason"].get<std::string>().find("/opt/origin/lib/libhelper.so.1: ") != std::string::npos);
  CHECK(r.exit_code == 1);
}

TEST_CASE("audit draws a progress bar on stderr only when it is a terminal", "[audit]") {
  require_tool("script", "bsdutils"); // runs a command on a pseudo-terminal
  TempDir dir;
  std::string image = make_audit_image(dir, "clean");
  Run terminal = run("script", {"-qec", abitag_binary() + " audit --only cxxabi,linkage " + image, "/dev/null"});
  CHECK(terminal.exit_code == 0);
  CHECK(terminal.out.find("\rscanning ") == std::string::npos); // the line is cleared before each draw
  CHECK(terminal.out.find("\r\033[Kscanning ") != std::string::npos);
  CHECK(terminal.out.find("\r\033[Klinking [") != std::string::npos);
  CHECK(terminal.out.find(" files/s") != std::string::npos);
  CHECK(terminal.out.find("cxxabi: 15 ELF files") != std::string::npos);

  Run piped = audit({"--only", "cxxabi", image});
  CHECK(piped.err.empty());
  CHECK(piped.out.find("files/s") == std::string::npos);
}

TEST_CASE("audit: files of an architecture ROOT has no loader for are listed, not linked", "[audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "clean");
  fs::remove(image + "/usr/lib/ld-linux.so.2");
  Run r = audit({image, "--json"});
  REQUIRE(r.exit_code == 0);
  Json doc = Json::parse(r.out);
  CHECK(serious(doc) == 0);
  CHECK(doc["sections"]["linkage"]["no_loader"] == 2);
  for (const char *file : {"/opt/bits/lib32/libbits.so.1", "/opt/bits/libuser32.so"}) {
    std::vector<Json> found = findings_of(doc, "no-loader", file);
    REQUIRE(found.size() == 1);
    CHECK(found[0]["severity"] == "informational");
    CHECK(found[0]["reason"].get<std::string>().find("(/lib/ld-linux.so.2)") != std::string::npos);
  }
}

TEST_CASE("audit census names a library whose interface mixes ABI families (at risk, not broken)", "[audit]") {
  Run r = audit({fixture("cxxabi"), "--json", "--only", "cxxabi"});
  REQUIRE(r.exit_code == 0);
  Json doc = Json::parse(r.out);
  std::vector<Json> mixed = findings_of(doc, "mixed-interface", "/mixed/libmixed.so");
  REQUIRE(mixed.size() == 1);
  CHECK(mixed[0]["severity"] == "at-risk");
  CHECK(mixed[0]["reason"].get<std::string>().find("the old libstdc++ ABI and the C++11 dual ABI") != std::string::npos);
  CHECK(doc["counts"]["at-risk"] == 1);
  // The verdicts of `abitag cxxabi` (tests/fixtures/cxxabi/expected.tsv), summed by family
  // (bad/truncated-sections.so among the new: it is read through its dynamic segment).
  CHECK(doc["sections"]["cxxabi"]["families"] ==
        Json({{"libc++", 1}, {"mixed", 1}, {"new", 6}, {"none", 4}, {"old", 4}}));
}
