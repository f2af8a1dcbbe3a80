// SPDX-License-Identifier: MIT
// InstalledPackageInfo and register.sh parsing, on Cabal's real output and
// on the syntax Cabal accepts but does not write itself.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "analyzers/ghc/package_info.h"
#include "analyzers/ghc/read_inputs.h"
#include "analyzers/ghc/register_script.h"
#include "tests/support.h"

using namespace abitag::ghc;
using abitag::test::fixture;
using abitag::test::lines;

namespace {

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

PackageInfo parse_ok(std::string_view text) {
  auto info = parse_package_info(text);
  if (!info)
    FAIL(abitag::to_message(info.takeError()));
  return std::move(*info);
}

std::string parse_error(std::string_view text) {
  auto info = parse_package_info(text);
  REQUIRE(!info);
  return abitag::to_message(info.takeError());
}

} // namespace

TEST_CASE("ghc: Cabal 3 aligned fields lose their alignment", "[ghc]") {
  PackageInfo info = parse_ok(slurp(fixture("ghc/tinylib/tinylib.conf")));
  CHECK(info.id == "tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s");
  CHECK(info.abi == "e7b1f9d6eef442698aa888701e2ef5ff");
  CHECK(info.name == "tinylib");
  CHECK(info.version == "0.1.0");
  CHECK(info.is_main_library());
  CHECK(info.depends == std::vector<std::string>{"base-4.15.1.0", "split-0.2.3.5-DXkzOmykyJE7KmI3yfeZnL"});
  CHECK(field_text(info, "synopsis") == "Tiny test library (it's got a quote)");
  CHECK(field_text(info, "description") ==
        "A one-module library used to capture a real register.sh.\n"
        "Second line of the description, with 'single quotes'.");
}

TEST_CASE("ghc: field names without case, tabs, comments, commas, unknown fields", "[ghc]") {
  PackageInfo info = parse_ok("-- a comment\n"
                              "Name: foo\n"
                              "VERSION:1.0\n"
                              "\n"
                              "ID :    foo-1.0-abc\n"
                              "x-custom-field: kept\n"
                              "  and continued\n"
                              "Depends:\n"
                              "\tbase-4.15.1.0,\n"
                              "  -- a comment inside a field\n"
                              "\tbar-1.0-xyz ,baz-2\n"
                              "abi-depends: base-4.15.1.0=6a406ebaf745e21c23112ab11c065ffc, bar-1.0-xyz=\n");
  CHECK(info.name == "foo");
  CHECK(info.version == "1.0");
  CHECK(info.id == "foo-1.0-abc");
  CHECK(info.depends == std::vector<std::string>{"base-4.15.1.0", "bar-1.0-xyz", "baz-2"});
  REQUIRE(info.abi_depends.size() == 2);
  CHECK(info.abi_depends[0].unit_id == "base-4.15.1.0");
  CHECK(info.abi_depends[0].abi == "6a406ebaf745e21c23112ab11c065ffc");
  CHECK(info.abi_depends[1].abi.empty()); // Cabal's AbiHash may be empty
  CHECK(field_text(info, "X-Custom-Field") == "kept\nand continued");
  CHECK(field_text(info, "depends") == "base-4.15.1.0 bar-1.0-xyz baz-2");
  CHECK(field_text(info, "no-such-field").empty());
}

TEST_CASE("ghc: malformed package descriptions say which line and why", "[ghc]") {
  CHECK(parse_error("name: foo\nversion: 1\n") == "no id field");
  CHECK(parse_error("name: foo\nid:\n") == "empty id field");
  CHECK(parse_error("  indented first\nid: x\n") == "line 1: indented line before any field");
  CHECK(parse_error("id: x\nthis is prose\n") == "line 2: not a 'field: value' line");
  CHECK(parse_error("id: x\nabi-depends: base-4\n") == "abi-depends item 'base-4' is not unitid=hash");
  CHECK(parse_error("id: a b\n").find("more than one word") != std::string::npos);
}

TEST_CASE("ghc: register.sh payloads are byte-identical to Cabal's own .conf", "[ghc]") {
  auto payloads = extract_registrations(slurp(fixture("ghc/tinylib/register.sh")));
  REQUIRE(static_cast<bool>(payloads));
  REQUIRE(payloads->size() == 1);
  CHECK((*payloads)[0] == slurp(fixture("ghc/tinylib/tinylib.conf")));

  auto two = extract_registrations(slurp(fixture("ghc/twolib/register.sh")));
  REQUIRE(static_cast<bool>(two));
  REQUIRE(two->size() == 2);
  CHECK((*two)[0] == slurp(fixture("ghc/twolib/conf/1-twolib-0.2.0-8FpzfYs13ClA3n8z4aSyz5-twolib-internal")));
  CHECK((*two)[1] == slurp(fixture("ghc/twolib/conf/2-twolib-0.2.0-5b25lSRGE9gFBaoA0k3FCe")));
  PackageInfo internal = parse_ok((*two)[0]);
  CHECK(internal.lib_name == "twolib-internal");
  CHECK(internal.package() == "twolib");
  CHECK(internal.name == "z-twolib-z-twolib-internal");
  CHECK_FALSE(internal.is_main_library());
}

TEST_CASE("ghc: Cabal 3.8 printf form, escaped quotes, cd and unset lines", "[ghc]") {
  std::string script = "#!/bin/sh\n"
                       "unset GHC_PACKAGE_PATH\n"
                       "export PATH='/opt/it'\\''s/bin:/usr/bin'\n"
                       "cd '/build/dir'\n"
                       "printf '%s' 'name: a\nid: a-1-x\nsynopsis: it'\\''s\n' | '/usr/bin/ghc-pkg' 'update' '-' '--global' \"$@\"\n"
                       "\n"
                       "#!/bin/sh\n"
                       "echo 'name: b\nid: b-1\n' | '/usr/bin/ghc-pkg' 'update' '-' \"$@\"\n";
  auto payloads = extract_registrations(script);
  REQUIRE(static_cast<bool>(payloads));
  REQUIRE(payloads->size() == 2);
  CHECK((*payloads)[0] == "name: a\nid: a-1-x\nsynopsis: it's\n");
  CHECK((*payloads)[1] == "name: b\nid: b-1\n");
}

TEST_CASE("ghc: a register script whose quoting never closes is refused", "[ghc]") {
  std::string script = slurp(fixture("ghc/tinylib/register.sh"));
  std::string cut = script.substr(0, script.find("' | '/usr/bin/ghc-pkg'"));
  auto payloads = extract_registrations(cut);
  REQUIRE(!payloads);
  CHECK(abitag::to_message(payloads.takeError()) == "the quote opened on line 3 never closes");
  auto unpiped = extract_registrations("echo 'id: x\n'\n");
  REQUIRE(!unpiped);
  CHECK(abitag::to_message(unpiped.takeError()).find("not piped into ghc-pkg") != std::string::npos);
}

TEST_CASE("ghc: ids, abis and depends agree with ghc-pkg field on the same database", "[ghc]") {
  auto dump = parse_text(slurp(fixture("ghc/dump.txt")));
  REQUIRE(static_cast<bool>(dump));
  for (const char *field : {"id", "abi", "depends"}) {
    std::multiset<std::string> ours, theirs;
    for (const PackageInfo &info : *dump)
      ours.insert(field_text(info, field));
    for (const std::string &line : lines(slurp(fixture(std::string("ghc/field-") + field + ".out"))))
      theirs.insert(line);
    INFO(field);
    CHECK(ours == theirs);
  }
}

TEST_CASE("ghc: dump streams split at --- lines only", "[ghc]") {
  auto records = split_records("id: a\n---\nid: b\ndescription: ---\n    --- a comment line\n---\n\n---\n");
  REQUIRE(records.size() == 2);
  CHECK(parse_ok(records[1]).id == "b");
  CHECK(field_text(parse_ok(records[1]), "description") == "---");
}

TEST_CASE("ghc: a conf that quotes a registration in its description is still a conf", "[ghc]") {
  auto infos = parse_text("name: doc\nid: doc-1\ndescription:\n    echo 'name: x\n    ' | ghc-pkg update -\n");
  REQUIRE(static_cast<bool>(infos));
  REQUIRE(infos->size() == 1);
  CHECK((*infos)[0].id == "doc-1");
}

TEST_CASE("ghc: first bytes decide what is read", "[ghc]") {
  CHECK(looks_like_package_info("name: foo\n"));
  CHECK(looks_like_package_info("---\nname: foo\n"));
  CHECK(looks_like_package_info("-- comment\n\nID:x"));
  CHECK_FALSE(looks_like_package_info("hello world\n"));
  CHECK_FALSE(looks_like_package_info(std::string("\0ghcpkg\0\0\0\0\1", 12)));
  CHECK(looks_like_register_script("#!/bin/sh\nexport PATH='/usr/bin'\n"));
  CHECK(looks_like_register_script("echo 'name: x\n"));
  CHECK(is_binary(std::string("abc\0def", 7)));
}
