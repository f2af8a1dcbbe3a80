// SPDX-License-Identifier: MIT
// abitag ocaml against OCaml's own tools, on tests/fixtures/ocaml (made by
// scripts/make-fixtures-ocaml: alpha, beta compiled against it, alpha
// changed and rebuilt, gamma compiled against the new alpha): the digests
// read are what ocamlobjinfo prints; --check says "inconsistent assumptions"
// exactly where `ocamlfind ocamlopt` fails with it (and Dynlink refuses the
// plugin), and nothing where it links; damaged files are one line and exit 3; the audit's ocaml section
// names the package to rebuild; adopt locks beta on alpha, and check names
// beta once alpha's new interface is adopted.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "tests/adopt_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

std::string before_lib(const std::string &file) { return fixture("ocaml/before/usr/lib/ocaml/" + file); }
std::string after_lib(const std::string &file) { return fixture("ocaml/after/usr/lib/ocaml/" + file); }

Run abitag_ocaml(std::vector<std::string> args) {
  args.insert(args.begin(), "ocaml");
  return run(abitag_binary(), args);
}

// "UNIT interface|implementation|imports-interface|imports-implementation NAME CRC" lines.
using Digests = std::set<std::string>;

Digests ocamlobjinfo_digests(const std::string &path) {
  require_tool("ocamlobjinfo", "ocaml-nox");
  Run r = run("ocamlobjinfo", {"-no-approx", "-no-code", path});
  REQUIRE(r.exit_code == 0);
  Digests out;
  std::string unit, section;
  std::smatch m;
  static const std::regex name_line("^(?:Unit name|Name): (\\S+)$"), crc_line("^CRC of implementation: (\\S+)$"),
      import_line("^\t(\\S+)\t(\\S+)$");
  for (const std::string &line : lines(r.out)) {
    if (std::regex_match(line, m, name_line)) {
      unit = m[1];
      section.clear();
    } else if (std::regex_match(line, m, crc_line)) {
      out.insert(unit + " implementation " + unit + " " + std::string(m[1]));
    } else if (line.rfind("Interfaces imported", 0) == 0) {
      section = "imports-interface";
    } else if (line.rfind("Implementations imported", 0) == 0) {
      section = "imports-implementation";
    } else if (!section.empty() && std::regex_match(line, m, import_line)) {
      std::string crc = std::string(m[1]).rfind("---", 0) == 0 ? "-" : std::string(m[1]);
      // ocamlobjinfo lists a unit's own interface among its imports
      out.insert(unit + " " + (m[2] == unit && section == "imports-interface" ? "interface" : section) + " " +
                 std::string(m[2]) + " " + crc);
    } else if (line.empty() || line[0] != '\t') {
      section.clear();
    }
  }
  return out;
}

Digests abitag_digests(const nlohmann::json &file) {
  Digests out;
  for (const nlohmann::json &unit : file["units"]) {
    std::string name = unit["name"];
    if (!unit["interface"].is_null())
      out.insert(name + " interface " + name + " " + unit["interface"].get<std::string>());
    if (!unit["implementation"].is_null())
      out.insert(name + " implementation " + name + " " + unit["implementation"].get<std::string>());
    for (const char *kind : {"interface", "implementation"})
      for (const nlohmann::json &import : unit[std::string("imported_") + kind + "s"])
        out.insert(name + " imports-" + kind + " " + import["name"].get<std::string>() + " " +
                   (import["crc"].is_null() ? "-" : import["crc"].get<std::string>()));
  }
  return out;
}

// `ocamlfind ocamlopt -package PACKAGES -linkpkg` of fixture PROGRAM against
// the findlib packages of ROOT; the compiler's exit code and messages.
Run ocamlfind_links(const std::string &root, const std::string &packages, const std::string &program) {
  require_tool("ocamlfind", "ocaml-findlib");
  TempDir dir;
  std::string source = dir.path() + "/" + program + ".ml";
  fs::copy_file(fixture("ocaml/" + program + ".ml"), source);
  return run("env", {"OCAMLPATH=" + root + "/usr/lib/ocaml", "ocamlfind", "ocamlopt", "-package", packages,
                     "-linkpkg", "-o", dir.path() + "/" + program, source});
}

// A native program linking alpha of ROOT that loads the plugin
// beta/beta.cmxs of ROOT with Dynlink: prints "loaded" or Dynlink's error.
Run dynlink_loads(const std::string &root) {
  require_tool("ocamlfind", "ocaml-findlib");
  TempDir dir;
  std::string source = dir.path() + "/host.ml";
  write_file(source, "let () = try Dynlink.loadfile Sys.argv.(1); print_string \"loaded\"\n"
                     "  with Dynlink.Error e -> print_string (Dynlink.error_message e); exit 2\n");
  Run built = run("env", {"OCAMLPATH=" + root + "/usr/lib/ocaml", "ocamlfind", "ocamlopt", "-package",
                          "alpha,dynlink", "-linkpkg", "-linkall", "-o", dir.path() + "/host", source});
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  return run(dir.path() + "/host", {root + "/usr/lib/ocaml/beta/beta.cmxs"});
}

// The interfaces a compiler's or abitag's messages say assumptions are inconsistent over.
std::set<std::string> inconsistent_interfaces(const std::string &text) {
  std::set<std::string> out;
  static const std::regex over("inconsistent assumptions\\s+over interface (\\w+)");
  for (std::sregex_iterator it(text.begin(), text.end(), over), end; it != end; ++it)
    out.insert((*it)[1]);
  return out;
}

// A copy of fixture root TREE in DIR/root with a dpkg database in which
// package libNAME-ocaml-dev owns the folder /usr/lib/ocaml/NAME of each of NAMES.
std::string packaged_root(const TempDir &dir, const std::string &tree, const std::vector<std::string> &names) {
  std::string root = dir.path() + "/root";
  fs::copy(fixture("ocaml/" + tree), root, fs::copy_options::recursive);
  std::map<std::string, std::vector<std::string>> packages;
  for (const std::string &name : names)
    for (const auto &entry : fs::directory_iterator(root + "/usr/lib/ocaml/" + name))
      packages["lib" + name + "-ocaml-dev"].push_back(entry.path().string().substr(root.size()));
  write_dpkg_database(root, packages);
  return root;
}

} // namespace

TEST_CASE("ocaml: every unit's digests are what ocamlobjinfo prints", "[ocaml]") {
  // The fixtures and, from the installed compiler, one file of each kind
  // (a library of many units, a plugin, a unit with structured constants).
  std::vector<std::string> files;
  for (const char *root : {"before", "after"})
    for (const auto &entry : fs::recursive_directory_iterator(fixture(std::string("ocaml/") + root)))
      if (entry.is_regular_file() && entry.path().extension() != ".cmxs" &&
          entry.path().extension().string().rfind(".cm", 0) == 0)
        files.push_back(entry.path().string());
  for (const char *name : {"stdlib.cma", "stdlib.cmxa", "stdlib__List.cmi", "stdlib__List.cmx", "std_exit.cmo",
                           "str.cmxs", "compiler-libs/ocamlcommon.cma"})
    files.push_back(std::string("/usr/lib/ocaml/") + name);
  std::vector<std::string> args{"--json"};
  args.insert(args.end(), files.begin(), files.end());
  Run r = abitag_ocaml(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["files"].size() == files.size());
  for (const nlohmann::json &file : doc["files"]) {
    INFO(file["path"]);
    Digests theirs = ocamlobjinfo_digests(file["path"]);
    CHECK(!theirs.empty());
    CHECK(abitag_digests(file) == theirs);
  }
  Run whole = abitag_ocaml({"/usr/lib/ocaml"}); // every file of the compiler's folder read, none refused
  INFO(whole.err);
  CHECK(whole.exit_code == 0);
  CHECK(whole.err.empty());
}

TEST_CASE("ocaml --check says inconsistent assumptions exactly where ocamlfind ocamlopt does", "[ocaml]") {
  std::string before = fixture("ocaml/before"), after = fixture("ocaml/after");
  // PROGRAM links with PACKAGES of ROOT, and abitag finds nothing in their folders.
  auto both_clean = [](const std::string &root, const std::string &packages, const std::string &program,
                       const std::vector<std::string> &folders) {
    Run compiled = ocamlfind_links(root, packages, program);
    INFO(compiled.out << compiled.err);
    CHECK(compiled.exit_code == 0);
    std::vector<std::string> args{"--check", "--root", root};
    for (const std::string &folder : folders)
      args.push_back(root + "/usr/lib/ocaml/" + folder);
    Run checked = abitag_ocaml(args);
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
    CHECK(checked.out.empty());
  };
  SECTION("beta compiled against alpha: both agree it links, and Dynlink loads its plugin") {
    both_clean(before, "alpha,beta", "uses_b", {"alpha", "beta"});
    CHECK(dynlink_loads(before).out == "loaded");
  }
  SECTION("alpha's interface changed: both name interface A for beta") {
    Run compiled = ocamlfind_links(after, "alpha,beta", "uses_b");
    CHECK(compiled.exit_code != 0);
    Run checked = abitag_ocaml({"--check", "--root", after, after_lib("beta")});
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 1);
    CHECK(inconsistent_interfaces(compiled.out + compiled.err) == std::set<std::string>{"A"});
    CHECK(inconsistent_interfaces(checked.out) == std::set<std::string>{"A"});
    // The files compiled against A: its interface in every kind, its implementation in the native ones.
    for (const char *file : {"b.cmx", "beta.cma", "beta.cmxa", "beta.cmxs"})
      CHECK(checked.out.find(after_lib("beta/") + file + ": unit B makes inconsistent assumptions over interface A") !=
            std::string::npos);
    CHECK(checked.out.find("over implementation A") != std::string::npos);
    CHECK(checked.out.find("b.cmi:") == std::string::npos); // B's interface does not mention A
    CHECK(dynlink_loads(after).out == "interface mismatch on A"); // Dynlink refuses beta.cmxs over A too
  }
  SECTION("gamma compiled against the new alpha: both agree it links") {
    both_clean(after, "alpha,gamma", "uses_c", {"alpha", "gamma"});
  }
}

TEST_CASE("ocaml --check: a META that requires a package not installed", "[ocaml]") {
  std::string after = fixture("ocaml/after");
  Run r = abitag_ocaml({"--check", "--root", after, after_lib("delta/META"), after_lib("gamma/META")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out == after_lib("delta/META") + ": findlib package delta requires nosuchlib, which is not installed\n");
  Run listed = run("env", {"OCAMLPATH=" + after + "/usr/lib/ocaml", "ocamlfind", "query", "-r", "delta"});
  CHECK(listed.exit_code != 0); // findlib refuses it too
  CHECK(listed.err.find("nosuchlib") != std::string::npos);
}

TEST_CASE("ocaml: the tag is the interfaces a library defines", "[ocaml]") {
  auto tag = [](const std::string &path) {
    Run r = abitag_ocaml({path});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  CHECK(tag(before_lib("alpha")) != tag(after_lib("alpha"))); // A's interface changed
  CHECK(tag(before_lib("beta")) == tag(after_lib("beta")));
  CHECK(tag(after_lib("alpha/a.cmi")) == tag(after_lib("alpha"))); // every file says the same of A
  CHECK(tag(after_lib("delta")) == "none\n");
  Run r = abitag_ocaml({"--json", "--explain", after_lib("alpha/a.cmi")});
  nlohmann::json doc = nlohmann::json::parse(r.out);
  CHECK(doc["files"][0]["units"][0]["name"] == "A");
  CHECK(r.err.find("a.cmi: cmi Caml1999I030, A (interface ") != std::string::npos);
}

TEST_CASE("ocaml: a damaged file is one line and exit 3", "[ocaml]") {
  TempDir dir;
  std::string cmi = read_file(after_lib("alpha/a.cmi"));
  auto refused = [&](const std::string &name, const std::string &bytes, const std::string &reason) {
    std::string path = dir.path() + "/" + name;
    write_file(path, bytes);
    Run r = abitag_ocaml({path});
    INFO(r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(lines(r.err).size() == 1);
    CHECK(r.err.rfind("abitag: " + path + ": " + reason, 0) == 0);
    Run objinfo = run("ocamlobjinfo", {path}); // the compiler's reader refuses it too
    CHECK((objinfo.exit_code != 0 || objinfo.err.find("rror") != std::string::npos));
  };
  refused("cut.cmi", cmi.substr(0, cmi.size() / 2), "truncated: the Marshal value at offset 12 claims");
  std::string long_data = cmi;
  long_data[16] = '\x7f'; // the first value's data length, a big-endian u32 at 12 + 4
  refused("long.cmi", long_data, "truncated: the Marshal value at offset 12 claims");
  refused("magic.cmi", cmi.substr(0, 10), "truncated: 10 bytes, shorter than the magic number");
  // A typed tree (.cmt) has a magic number of its own: named, it is refused; met in a walk, passed over.
  fs::create_directory(dir.path() + "/walked");
  fs::copy_file("/usr/lib/ocaml/stdlib__List.cmt", dir.path() + "/walked/stdlib__List.cmt");
  fs::copy_file(after_lib("alpha/a.cmi"), dir.path() + "/walked/a.cmi");
  Run named = abitag_ocaml({dir.path() + "/walked/stdlib__List.cmt"});
  CHECK(named.exit_code == 3);
  Run walked = abitag_ocaml({dir.path() + "/walked"});
  INFO(walked.err);
  CHECK(walked.exit_code == 0);
  CHECK(walked.out == abitag_ocaml({after_lib("alpha/a.cmi")}).out);
}

TEST_CASE("audit: the ocaml section and ocaml --check name the package to rebuild", "[ocaml][audit]") {
  TempDir dir;
  std::string root = packaged_root(dir, "after", {"alpha", "beta", "gamma", "delta"});
  Run r = run(abitag_binary(), {"audit", "--only", "ocaml", "--json", root});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  std::set<std::string> found;
  for (const nlohmann::json &finding : doc["findings"])
    found.insert(finding["kind"].get<std::string>() + " " + finding["rebuild"][0].get<std::string>());
  CHECK(found == std::set<std::string>{
                     "inconsistent-interface /usr/lib/ocaml/beta/b.cmx (package libbeta-ocaml-dev)",
                     "inconsistent-implementation /usr/lib/ocaml/beta/b.cmx (package libbeta-ocaml-dev)",
                     "missing-requirement /usr/lib/ocaml/delta/META (package libdelta-ocaml-dev)"});
  Run checked = abitag_ocaml({"--check", "--root", root, root + "/usr/lib/ocaml/beta"});
  CHECK(checked.exit_code == 1);
  for (const std::string &line : lines(checked.out))
    CHECK(line.substr(line.size() - 27) == "; rebuild libbeta-ocaml-dev");
}

TEST_CASE("adopt: an OCaml library locks on the interfaces it imports", "[ocaml][adopt]") {
  TempDir dir;
  std::string root = packaged_root(dir, "before", {"alpha", "beta"}), db = dir.path() + "/tags.db";
  adopt_json(root, db);
  std::vector<std::string> beta = shown("libbeta-ocaml-dev", db);
  Run alpha_tag = abitag_ocaml({root + "/usr/lib/ocaml/alpha"});
  CHECK(std::find(beta.begin(), beta.end(), "  lock libalpha-ocaml-dev ocaml=" + lines(alpha_tag.out).front()) !=
        beta.end());
  Run clean = run(abitag_binary(), {"check", "--root", root, "--db", db});
  CHECK(clean.exit_code == 0);
  // alpha upgraded to its changed interface, and adopted again (what the package manager's hook does)
  fs::remove_all(root + "/usr/lib/ocaml/alpha");
  fs::copy(fixture("ocaml/after/usr/lib/ocaml/alpha"), root + "/usr/lib/ocaml/alpha", fs::copy_options::recursive);
  adopt_json(root, db, {"--package", "libalpha-ocaml-dev"});
  Run stale = run(abitag_binary(), {"check", "--root", root, "--db", db});
  INFO(stale.out << stale.err);
  CHECK(stale.exit_code == 1);
  CHECK(stale.out.find("libbeta-ocaml-dev: libalpha-ocaml-dev ocaml locked") != std::string::npos);
}
