// SPDX-License-Identifier: MIT
// The loader is the judge: what abitag says ld.so will not find must be what
// ld.so itself reports through `ldd -r`, on the fixture trees and on a
// sample of this machine's own libraries and programs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <llvm/BinaryFormat/ELF.h>
#include <nlohmann/json.hpp>

#include "audit/elf_facts.h"
#include "audit/elf_scan.h"
#include "audit/loader.h"
#include "audit/search_paths.h"
#include "tests/audit_image.h"

using namespace abitag;
using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

std::set<std::string> unresolved_names(const audit::ElfEntry &entry, const audit::LinkageResult &result) {
  std::set<std::string> out;
  if (result.unresolved.empty())
    return out;
  auto symbols = audit::read_dynamic_symbols(entry.host_path, result.unresolved);
  REQUIRE(static_cast<bool>(symbols));
  for (const audit::DynamicSymbol &s : *symbols)
    out.insert(s.version.empty() ? s.name : s.name + "@" + s.version);
  return out;
}

std::set<std::string> missing_versions(const audit::LinkageResult &result) {
  std::set<std::string> out;
  for (const audit::MissingVersion &m : result.missing_versions)
    out.insert(m.version);
  return out;
}

std::set<std::string> missing_names(const audit::LinkageResult &result) {
  std::set<std::string> out;
  for (const audit::MissingLibrary &m : result.closure.missing)
    out.insert(m.name);
  return out;
}

// A sample of this machine's x86-64 libraries and programs, spread over the
// sorted list so that it is the same on every run.
std::vector<std::string> host_sample() {
  std::vector<std::string> libraries, programs;
  for (const auto &e : fs::directory_iterator("/usr/lib/x86_64-linux-gnu"))
    if (e.is_regular_file() && !e.is_symlink() && e.path().filename().string().find(".so.") != std::string::npos)
      libraries.push_back(e.path());
  for (const auto &e : fs::directory_iterator("/usr/bin"))
    if (e.is_regular_file() && !e.is_symlink())
      programs.push_back(e.path());
  std::sort(libraries.begin(), libraries.end());
  std::sort(programs.begin(), programs.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < libraries.size(); i += std::max<std::size_t>(1, libraries.size() / 40))
    out.push_back(libraries[i]);
  for (std::size_t i = 0; i < programs.size(); i += std::max<std::size_t>(1, programs.size() / 20))
    out.push_back(programs[i]);
  // Python's extension modules import the interpreter's symbols without
  // naming libpython: the loader's "undefined symbol" on real files.
  std::vector<std::string> modules;
  for (const auto &e : fs::directory_iterator("/usr/lib"))
    if (e.path().filename().string().rfind("python3.", 0) == 0 && fs::is_directory(e.path() / "lib-dynload"))
      for (const auto &m : fs::directory_iterator(e.path() / "lib-dynload"))
        modules.push_back(m.path());
  std::sort(modules.begin(), modules.end());
  for (std::size_t i = 0; i < modules.size(); i += 4)
    out.push_back(modules[i]);
  return out;
}

} // namespace

TEST_CASE("loader: missing libraries and undefined symbols equal ldd -r on the fixture trees", "[audit][ldd]") {
  require_tool("ldd", "libc-bin");
  for (const char *tree : {"broken", "clean", "rpath"}) {
    TempDir dir;
    std::string image = make_audit_image(dir, tree);
    audit::Progress quiet(false);
    audit::ElfScan scan(fs::canonical(image), quiet);
    audit::Loader loader(scan);
    std::size_t compared = 0;
    for (std::size_t i = 0; i < scan.walked(); ++i) {
      const audit::ElfEntry &entry = scan.entries()[i];
      if (!entry.facts.loadable() || entry.facts.machine != llvm::ELF::EM_X86_64 ||
          entry.path.find("/x86_64-linux-gnu/") != std::string::npos)
        continue; // ldd on the fixture files themselves, found through their own paths
      std::string original = fixture(std::string("audit/") + tree + entry.path);
      LddVerdict judge = ldd_verdict(original);
      REQUIRE(judge.ran);
      audit::LinkageResult result = loader.link(entry);
      INFO(tree << entry.path);
      CHECK(missing_names(result) == judge.not_found);
      std::set<std::string> unresolved = unresolved_names(entry, result);
      if (result.closure.by_path.empty())
        CHECK(unresolved == judge.undefined[original]);
      else // what a host loads first by path defines some of what ldd, which loads nothing first, cannot find
        CHECK(std::includes(judge.undefined[original].begin(), judge.undefined[original].end(), unresolved.begin(),
                            unresolved.end()));
      CHECK(missing_versions(result) == judge.missing_versions[original]);
      ++compared;
    }
    CHECK(compared == (std::string(tree) == "broken" ? 6 : std::string(tree) == "clean" ? 7 : 4));
  }
}

TEST_CASE("loader: DT_RPATH of the loading object is inherited, DT_RUNPATH is not", "[audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "rpath");
  audit::Progress quiet(false);
  audit::ElfScan scan(fs::canonical(image), quiet);
  audit::Loader loader(scan);
  auto closure_of = [&](const std::string &path) {
    for (std::size_t i = 0; i < scan.walked(); ++i)
      if (scan.entries()[i].path == path)
        return loader.load_closure(scan.entries()[i]);
    FAIL("not scanned: " << path);
    return audit::Closure{};
  };
  audit::Closure rpath = closure_of("/opt/rp/libtop-rpath.so");
  CHECK(rpath.missing.empty());
  std::vector<std::string> loaded;
  for (const audit::ElfEntry *entry : rpath.scope)
    loaded.push_back(entry->path);
  CHECK(loaded == std::vector<std::string>{"/opt/rp/libtop-rpath.so", "/opt/rp/lib/libouter.so.1",
                                           "/opt/rp/private/libinner.so.1"});

  audit::Closure runpath = closure_of("/opt/rp/libtop-runpath.so");
  REQUIRE(runpath.missing.size() == 1);
  CHECK(runpath.missing[0].name == "libinner.so.1");
  CHECK(runpath.missing[0].needed_by == "/opt/rp/lib/libouter.so.1");
}

TEST_CASE("loader: undefined symbols and missing libraries equal ldd -r on this machine's files", "[audit][ldd]") {
  require_tool("ldd", "libc-bin");
  audit::Progress quiet(false);
  audit::ElfScan scan("/", host_sample(), quiet);
  audit::Loader loader(scan);
  std::size_t compared = 0, with_undefined = 0;
  for (std::size_t i = 0; i < scan.walked(); ++i) {
    const audit::ElfEntry &entry = scan.entries()[i];
    // ldd runs the loader on the file: only this machine's own architecture.
    if (!entry.facts.loadable() || entry.facts.machine != llvm::ELF::EM_X86_64 ||
        entry.facts.elf_class != llvm::ELF::ELFCLASS64)
      continue;
    LddVerdict judge = ldd_verdict(entry.host_path);
    if (!judge.ran)
      continue;
    audit::LinkageResult result = loader.link(entry);
    INFO(entry.path);
    CHECK(missing_names(result) == judge.not_found);
    std::set<std::string> mine = unresolved_names(entry, result);
    CHECK(mine == judge.undefined[entry.host_path]);
    CHECK(missing_versions(result) == judge.missing_versions[entry.host_path]);
    with_undefined += !mine.empty();
    ++compared;
  }
  CHECK(compared >= 40);
  CHECK(with_undefined > 0); // python3 is part of every Debian system this runs on
  WARN(with_undefined << " of " << compared << " files compared have undefined symbols");
}

TEST_CASE("ld.so.conf is read under ROOT with its includes, search entries expand $ORIGIN", "[audit]") {
  TempDir dir;
  fs::create_directories(dir.path() + "/etc/ld.so.conf.d");
  std::ofstream(dir.path() + "/etc/ld.so.conf") << "# comment\ninclude /etc/ld.so.conf.d/*.conf\n/opt/first\n";
  std::ofstream(dir.path() + "/etc/ld.so.conf.d/b.conf") << "/opt/b  # trailing\n/opt/b/\n";
  std::ofstream(dir.path() + "/etc/ld.so.conf.d/a.conf") << "/opt/a\ninclude nested.inc\nhwcap 0 nosegneg\n";
  std::ofstream(dir.path() + "/etc/ld.so.conf.d/nested.inc") << "/opt/nested:/opt/colon\n";
  std::ofstream(dir.path() + "/etc/ld.so.conf.d/skipped.txt") << "/opt/never\n";
  CHECK(abitag::read_ld_so_conf(dir.path()) ==
        std::vector<std::string>{"/opt/a", "/opt/nested", "/opt/colon", "/opt/b", "/opt/first"});
  CHECK(abitag::read_ld_so_conf(dir.path() + "/nothing-here").empty());

  CHECK(audit::expand_search_entry("$ORIGIN/../lib", "/opt/x/bin", llvm::ELF::EM_X86_64, llvm::ELF::ELFCLASS64) ==
        "/opt/x/bin/../lib");
  CHECK(audit::expand_search_entry("${ORIGIN}/a:$LIB", "/o", llvm::ELF::EM_X86_64, llvm::ELF::ELFCLASS64) ==
        "/o/a:lib/x86_64-linux-gnu");
  CHECK(audit::expand_search_entry("$ORIGINAL", "/o", llvm::ELF::EM_386, llvm::ELF::ELFCLASS32) == "$ORIGINAL");
  CHECK(audit::expand_search_entry("/p/$PLATFORM", "/o", llvm::ELF::EM_386, llvm::ELF::ELFCLASS32) == "/p/i686");
}

// The names of a file's unresolved imports are read by their symbol table
// indexes alone; they must be the symbols the whole table gives at those
// indexes, and an index past the table must fail, not name something else.
TEST_CASE("dynamic symbols read by index equal those of the whole table", "[audit]") {
  for (const char *file : {"audit/broken/usr/bin/shapes", "audit/broken/usr/lib/libshape.so.1",
                           "audit/broken/usr/bin/needs-ver2"}) {
    INFO(file);
    std::string path = fixture(file);
    auto all = audit::read_dynamic_symbols(path);
    REQUIRE(static_cast<bool>(all));
    REQUIRE(all->size() > 2);
    std::vector<std::size_t> indexes;
    std::vector<audit::DynamicSymbol> expected;
    for (std::size_t i = all->size(); i-- > 0;) { // out of order, every other one
      if (i % 2)
        continue;
      indexes.push_back(all->all()[i].index);
      expected.push_back((*all)[i]);
    }
    auto some = audit::read_dynamic_symbols(path, indexes);
    REQUIRE(static_cast<bool>(some));
    REQUIRE(some->size() == expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
      CHECK((*some)[k].name == expected[k].name);
      CHECK((*some)[k].version == expected[k].version);
      CHECK((*some)[k].undefined == expected[k].undefined);
    }
    auto past = audit::read_dynamic_symbols(path, {all->all().back().index + 1});
    REQUIRE_FALSE(static_cast<bool>(past));
    CHECK(to_message(past.takeError()) == "symbol " + std::to_string(all->all().back().index + 1) +
                                              " is not in the symbol table");
  }
}
