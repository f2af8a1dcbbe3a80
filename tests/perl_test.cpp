// SPDX-License-Identifier: MIT
// abitag perl against perl itself: what it reads of the installed perl is
// what `perl -V` says, and --check agrees with perl loading the XS module of
// tests/fixtures/perl (made by scripts/make-fixtures-perl) and refusing
// copies patched at test time (the handshake key, the API string, the
// boot_ name, an import). The audit's perl section on a root holding a copy
// of the perl and a folder of a perl not there.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "tests/adopt_support.h"
#include "tests/audit_image.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const std::string kPerl = "/usr/bin/perl";

// What `perl -V:NAME` says: version='5.36.0'; gives 5.36.0.
std::string perl_config(const std::string &name) {
  require_tool("perl", "perl");
  Run r = run(kPerl, {"-V:" + name});
  REQUIRE(r.exit_code == 0);
  std::size_t begin = r.out.find('\'') + 1;
  return r.out.substr(begin, r.out.rfind('\'') - begin);
}

Run abitag_perl(std::vector<std::string> args) {
  args.insert(args.begin(), "perl");
  return run(abitag_binary(), args);
}

// A copy of the fixture module in DIR (lib/Tiny.pm, arch/auto/Tiny/Tiny.so)
// with every FROM in the .so's bytes made TO; returns the .so's path.
std::string module_copy(const TempDir &dir, const std::string &from = "", const std::string &to = "") {
  std::string bytes = read_file(fixture("perl/arch/auto/Tiny/Tiny.so"));
  if (!from.empty()) {
    REQUIRE(from.size() == to.size());
    std::size_t at = bytes.find(from);
    REQUIRE(at != std::string::npos);
    for (; at != std::string::npos; at = bytes.find(from, at))
      bytes.replace(at, from.size(), to);
  }
  fs::create_directories(dir.path() + "/lib");
  fs::create_directories(dir.path() + "/arch/auto/Tiny");
  write_file(dir.path() + "/lib/Tiny.pm", read_file(fixture("perl/lib/Tiny.pm")));
  std::string path = dir.path() + "/arch/auto/Tiny/Tiny.so";
  write_file(path, bytes);
  return path;
}

// perl loading Tiny from DIR and calling it.
Run perl_loads(const TempDir &dir) {
  return run(kPerl, {"-I" + dir.path() + "/lib", "-I" + dir.path() + "/arch", "-MTiny", "-e",
                     "exit(Tiny::add(2, 3) == 5 ? 0 : 2)"});
}

// The check's verdict and perl's on the copy in DIR; returns abitag's line.
std::string agree(const TempDir &dir, const std::string &so, bool loads) {
  Run perl = perl_loads(dir);
  Run r = abitag_perl({"--check", "--inc", dir.path() + "/arch", so});
  INFO(so << "\nabitag: " << r.out << r.err << "\nperl: " << perl.err);
  CHECK((perl.exit_code == 0) == loads);
  CHECK(r.exit_code == (loads ? 0 : 1));
  CHECK(r.out.empty() == loads);
  std::string prefix = so + ": ";
  if (loads || r.out.compare(0, prefix.size(), prefix) != 0)
    return {};
  std::string line = r.out.substr(prefix.size());
  return line.substr(0, line.find('\n'));
}

std::string fixture_key() {
  Run r = abitag_perl({"--json", fixture("perl/arch/auto/Tiny/Tiny.so")});
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out)["modules"][0]["handshake_key"];
}

// The little-endian bytes of KEY ("0xeb804e7").
std::string key_bytes(const std::string &key) {
  std::uint32_t value = std::stoul(key, nullptr, 16);
  std::string out;
  for (int i = 0; i < 4; ++i)
    out += char((value >> (8 * i)) & 0xff);
  return out;
}

// DIR/root holding this machine's perl: its program, Config.pm and
// Config_heavy.pl (archlib, and the link naming it as Config does), and an
// empty vendorarch folder. Returns the root.
std::string perl_root(const TempDir &dir) {
  std::string archlib_named = perl_config("archlibexp");
  std::string archlib = fs::canonical(archlib_named).string();
  std::string root = dir.path() + "/root";
  fs::create_directories(root + archlib);
  if (fs::is_symlink(archlib_named)) // Debian's .../perl/5.36 -> 5.36.0
    fs::create_directory_symlink(fs::read_symlink(archlib_named), root + archlib_named);
  fs::create_directories(root + perl_config("vendorarchexp"));
  fs::create_directories(root + "/usr/bin");
  fs::copy_file(kPerl, root + kPerl);
  for (const char *file : {"/Config.pm", "/Config_heavy.pl"})
    fs::copy_file(archlib + file, root + archlib + file);
  return root;
}

} // namespace

TEST_CASE("perl: the installed perl's version, archname and API version are what perl -V says", "[perl]") {
  std::string version = perl_config("version"), archname = perl_config("archname");
  std::string api = perl_config("api_versionstring"), archlib = perl_config("archlibexp");
  Run r = abitag_perl({"--json", archlib + "/Config.pm"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["perls"].size() == 1);
  const nlohmann::json &perl = doc["perls"][0];
  CHECK(perl["version"] == version);
  CHECK(perl["archname"] == archname);
  CHECK(perl["api_version"] == "v" + api);
  CHECK(perl["problem"] == "");
  CHECK(perl["exports"].get<int>() > 1000);
  // Every folder of perl's @INC that exists is one abitag searches.
  Run inc = run(kPerl, {"-e", "print join(qq{\\n}, grep { -d } @INC)"});
  std::vector<std::string> searched = perl["inc"];
  for (const std::string &folder : lines(inc.out)) {
    INFO(folder);
    CHECK(std::count(searched.begin(), searched.end(), folder) + std::count(searched.begin(), searched.end(),
                                                                             fs::canonical(folder).string()) >= 1);
  }
  CHECK(doc["value"].get<std::string>().rfind(version + " " + archname + " v" + api, 0) == 0);
}

TEST_CASE("perl: the fixture module's package, boot_, API string and handshake key", "[perl]") {
  Run r = abitag_perl({"--json", fixture("perl/arch/auto/Tiny/Tiny.so")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["modules"].size() == 1);
  const nlohmann::json &module = doc["modules"][0];
  std::string api = "v" + perl_config("api_versionstring");
  CHECK(module["package"] == "Tiny");
  CHECK(module["boot"] == nlohmann::json::array({"boot_Tiny"}));
  CHECK(module["api_strings"] == nlohmann::json::array({api}));
  CHECK(module["evidence"] == "file");
  CHECK(doc["value"] == "xs " + api);
  // util.h HS_KEYp: the low 5 bits are the API string's length, bit 7
  // MULTIPLICITY, as this threaded perl's -V:usemultiplicity says.
  std::uint32_t key = std::stoul(module["handshake_key"].get<std::string>(), nullptr, 16);
  CHECK((key & 0x1f) == api.size());
  CHECK(((key & 0x80) != 0) == (perl_config("usemultiplicity") == "define"));
}

TEST_CASE("perl: a module without an API string is judged by its version folder, and --explain says so", "[perl]") {
  TempDir dir;
  std::string api = "v" + perl_config("api_versionstring");
  std::string bytes = read_file(fixture("perl/arch/auto/Tiny/Tiny.so"));
  std::size_t at = bytes.find(std::string("\0", 1) + api + std::string("\0", 1));
  REQUIRE(at != std::string::npos);
  bytes[at + 1] = 'w'; // no longer "v5.N.N": the file names no API version
  std::string so = dir.path() + "/5.34/auto/Tiny/Tiny.so";
  fs::create_directories(dir.path() + "/5.34/auto/Tiny");
  write_file(so, bytes);
  Run r = abitag_perl({"--json", "--explain", so});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json module = nlohmann::json::parse(r.out)["modules"][0];
  CHECK(module["api_strings"].empty());
  CHECK(module["evidence"] == "folder");
  CHECK(module["built_for"] == "v5.34");
  CHECK(module["handshake_key"].is_null()); // its length bits no longer agree with a string
  CHECK(r.err == so + ": XS module Tiny, built for v5.34 (its folder's name: the file carries no API string), "
                      "imports 7 Perl_*/PL_* symbols\n");
}

TEST_CASE("perl --check: agrees with perl loading the fixture and refusing patched copies", "[perl]") {
  TempDir dir;
  SECTION("as built") {
    std::string so = module_copy(dir);
    agree(dir, so, true);
    Run r = abitag_perl({"--check", so});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find(": it is in " + fs::canonical(dir.path()).string() + "/arch, which no installed perl searches") !=
          std::string::npos);
    CHECK(run(kPerl, {"-e", "use Tiny"}).exit_code != 0);
  }
  SECTION("another handshake key (another interpreter size)") {
    std::string key = key_bytes(fixture_key()), patched = key;
    patched[2] = char(patched[2] ^ 0x08);
    std::string so = module_copy(dir, "\xbf" + key, "\xbf" + patched);
    std::string line = agree(dir, so, false);
    CHECK(line.rfind("loadable library and perl binaries are mismatched (got first handshake key ", 0) == 0);
    CHECK(perl_loads(dir).err.find("Tiny.c: " + line + "\n") != std::string::npos);
  }
  SECTION("another API version") {
    std::string api = "v" + perl_config("api_versionstring");
    std::string other = api;
    other[3] = other[3] == '1' ? '2' : '1'; // v5.36.0 -> v5.16.0, same length
    std::string so = module_copy(dir, std::string("\0", 1) + api + std::string("\0", 1),
                                 std::string("\0", 1) + other + std::string("\0", 1));
    std::string line = agree(dir, so, false);
    CHECK(line == "Perl API version " + other + " of Tiny does not match " + api);
    CHECK(perl_loads(dir).err.rfind(line + " at ", 0) == 0);
  }
  SECTION("no boot_ function for the package") {
    std::string so = module_copy(dir, std::string("boot_Tiny\0", 10), std::string("boot_Tinx\0", 10));
    std::string line = agree(dir, so, false);
    CHECK(line == "Can't find 'boot_Tiny' symbol in " + fs::canonical(so).string());
    CHECK(perl_loads(dir).err.find("Can't find 'boot_Tiny' symbol in ") != std::string::npos);
  }
  SECTION("an import the perl does not export") {
    std::string so = module_copy(dir, std::string("Perl_newXS_deffile\0", 19), std::string("Perl_newXS_deffilX\0", 19));
    std::string line = agree(dir, so, false);
    CHECK(line == "it imports Perl_newXS_deffilX, which " + kPerl + " (perl " + perl_config("version") +
                      ") does not export");
    CHECK(perl_loads(dir).err.find("undefined symbol: Perl_newXS_deffilX") != std::string::npos);
  }
}

TEST_CASE("perl: a truncated module or a damaged Config.pm is bad input, one line", "[perl]") {
  TempDir dir;
  std::string truncated = dir.path() + "/Tiny.so";
  write_file(truncated, read_file(fixture("perl/arch/auto/Tiny/Tiny.so")).substr(0, 3000));
  Run r = abitag_perl({"--check", truncated});
  CHECK(r.exit_code == 3);
  CHECK(lines(r.err).size() == 1);
  CHECK(r.err.rfind("abitag: " + truncated + ": ", 0) == 0);

  std::string config = dir.path() + "/Config.pm";
  std::string text = read_file(perl_config("archlibexp") + "/Config.pm");
  write_file(config, text.substr(0, text.find("tie %Config")));
  r = abitag_perl({config});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "abitag: " + config +
                     ": no 'version' and 'archname' in its %Config tie: not a Config.pm configpm wrote\n");
}

TEST_CASE("audit perl: a folder of a perl not installed names the packages installing there, and a refused module",
          "[perl][audit]") {
  std::string vendorarch = perl_config("vendorarchexp");
  TempDir dir;
  std::string root = perl_root(dir);
  fs::create_directories(root + vendorarch + "/auto/Tiny");
  TempDir patched;
  std::string api = "v" + perl_config("api_versionstring");
  std::string refused = vendorarch + "/auto/Tiny/Tiny.so";
  fs::copy_file(module_copy(patched, std::string("\0", 1) + api, std::string("\0", 1) + "v5.10.0"), root + refused);
  // The folder of the perl before: what perl-cleaner looks for.
  std::string old_folder = fs::path(vendorarch).parent_path().string() + "/5.10";
  std::string old = old_folder + "/auto/Tiny/Tiny.so";
  fs::create_directories(root + old_folder + "/auto/Tiny");
  fs::copy_file(fixture("perl/arch/auto/Tiny/Tiny.so"), root + old);
  // A folder of another gone perl whose module no package owns: left over.
  std::string leftover_folder = fs::path(vendorarch).parent_path().string() + "/5.8";
  fs::create_directories(root + leftover_folder + "/auto/Tiny");
  fs::copy_file(fixture("perl/arch/auto/Tiny/Tiny.so"), root + leftover_folder + "/auto/Tiny/Tiny.so");
  write_dpkg(root, {{"libtiny-perl", refused}, {"libtiny-old-perl", old}});

  Run r = audit({root, "--only", "perl", "--json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 1);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> by_kind;
  for (const nlohmann::json &f : doc["findings"])
    by_kind[f["kind"]] = f;
  CHECK(by_kind["removed-perl"]["file"] == old_folder);
  CHECK(by_kind["removed-perl"]["rebuild"] == nlohmann::json::array({old + " (package libtiny-old-perl)"}));
  CHECK(by_kind["leftover-folder"]["file"] == leftover_folder);
  CHECK(by_kind["leftover-folder"]["severity"] != by_kind["removed-perl"]["severity"]);
  CHECK(by_kind["refused-module"]["file"] == refused);
  CHECK(by_kind["refused-module"]["reason"] == "Perl API version v5.10.0 of Tiny does not match " + api);
  Run check = abitag_perl({"--check", "--root", root, root + old});
  CHECK(check.exit_code == 1);
  CHECK(check.out.find("which no installed perl searches (a folder of perl 5.10; installed: " +
                       perl_config("version")) != std::string::npos);
}

TEST_CASE("adopt perl: an XS module's package locked on its perl's, then that perl of another version",
          "[adopt][perl]") {
  TempDir dir;
  std::string root = perl_root(dir), db = dir.path() + "/tags.db";
  std::string archlib = fs::canonical(perl_config("archlibexp")).string();
  std::string module = perl_config("vendorarchexp") + "/auto/Tiny/Tiny.so";
  fs::create_directories(root + perl_config("vendorarchexp") + "/auto/Tiny");
  fs::copy_file(fixture("perl/arch/auto/Tiny/Tiny.so"), root + module);
  write_dpkg_database(root, {{"libperl", {archlib + "/Config.pm", archlib + "/Config_heavy.pl"}},
                             {"libtiny-perl", {module}}});
  adopt_json(root, db);
  std::string version = perl_config("version"), api = "v" + perl_config("api_versionstring");
  std::vector<std::string> perl_lines = shown("libperl", db);
  REQUIRE(perl_lines.size() == 2);
  std::string prefix = "  tag  perl=" + version + " " + perl_config("archname") + " " + api;
  CHECK(perl_lines[1] == prefix + " (perl)"); // no core module in the root: no handshake key
  std::string value = perl_lines[1].substr(std::string("  tag  perl=").size());
  value = value.substr(0, value.size() - std::string(" (perl)").size());
  CHECK(shown("libtiny-perl", db) ==
        std::vector<std::string>{"libtiny-perl", "  tag  cxxabi=compat (cxxabi)", "  tag  perl=xs " + api + " (perl)",
                                 "  lock libperl perl=" + value});
  CHECK(run(abitag_binary(), {"check", "--db", db, "--root", root}).exit_code == 0);

  // The perl's files now say another release of the same length.
  std::string next = version.substr(0, version.size() - 1) + (version.back() == '9' ? '8' : '9');
  for (const char *file : {"/Config.pm", "/Config_heavy.pl"}) {
    std::string text = read_file(root + archlib + file);
    for (std::size_t at = text.find("'" + version + "'"); at != std::string::npos; at = text.find("'" + version + "'", at))
      text.replace(at + 1, version.size(), next);
    write_file(root + archlib + file, text);
  }
  nlohmann::json again = adopt_json(root, db, {"--package", "libperl"});
  REQUIRE(again["tags"].size() == 1);
  CHECK(again["tags"][0]["value"].get<std::string>().rfind(next + " ", 0) == 0);
  Run check = run(abitag_binary(), {"check", "--db", db, "--root", root, "--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"libtiny-perl"});
}

TEST_CASE("perl --check: every XS module on this perl's @INC loads, and perl loads each", "[perl]") {
  require_tool("perl", "perl");
  Run inc = run(kPerl, {"-e", "print join(qq{\\n}, grep { -d && m{^/} } @INC)"});
  std::vector<std::string> args = {"--check", "--json"};
  for (const std::string &folder : lines(inc.out))
    args.push_back(folder);
  Run r = abitag_perl(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  CHECK(doc["value"] == "");
  REQUIRE(doc["modules"].size() > 20); // Debian's perl-base and libperl alone bring more
  std::vector<std::string> load = {"-e", "my @failed; for my $m (@ARGV) { (my $f = $m) =~ s{::}{/}g; "
                                         "push @failed, $m unless eval { require qq{$f.pm}; 1 } } print qq{@failed}"};
  for (const nlohmann::json &module : doc["modules"]) {
    CHECK(module["problem"] == "");
    CHECK(module["loaders"].size() == 1);
    load.push_back(module["package"]);
  }
  Run perl = run(kPerl, load);
  CHECK(perl.exit_code == 0);
  CHECK(perl.out == ""); // the packages perl could not load
}
