// SPDX-License-Identifier: MIT
// `abitag symbols` against the tools it replaces: the same symbols, types and
// versions as GNU nm (nm -D for shared objects and executables, nm for
// archives), and the same demangled names as c++filt up to spelling.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

#include "tests/elf_edit.h"
#include "tests/support.h"

using namespace abitag::test;

namespace {

struct Row {
  std::string member, type, name; // name with nm's @VERSION / @@VERSION suffix
  bool operator<(const Row &o) const {
    return std::tie(member, type, name) < std::tie(o.member, o.type, o.name);
  }
  bool operator==(const Row &o) const = default;
};

std::vector<std::string> split_tabs(const std::string &line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    out.push_back(line.substr(start, tab - start));
  out.push_back(line.substr(start));
  return out;
}

std::string base_name(const std::string &path) { return std::filesystem::path(path).filename(); }

std::vector<Row> abitag_rows(const std::string &file) {
  Run r = run(abitag_binary(), {"symbols", file});
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> text = lines(r.out);
  REQUIRE(!text.empty());
  CHECK(text[0] == "file\tmember\ttype\tname\tversion\tdemangled\tclass\tscope");
  std::vector<Row> rows;
  for (std::size_t i = 1; i < text.size(); ++i) {
    std::vector<std::string> c = split_tabs(text[i]);
    REQUIRE(c.size() == 8);
    rows.push_back({c[1] == "-" ? "" : base_name(c[1]), c[2], c[3] + (c[4] == "-" ? "" : c[4])});
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

bool is_shared_or_executable(const std::string &file) {
  Run r = run("readelf", {"-h", file});
  return r.out.find("DYN (") != std::string::npos || r.out.find("EXEC (") != std::string::npos;
}

std::vector<Row> nm_rows(const std::string &nm, const std::string &file) {
  bool dynamic = is_shared_or_executable(file);
  Run r = dynamic ? run(nm, {"-D", file}) : run(nm, {"-f", "posix", file});
  REQUIRE(r.exit_code == 0);
  std::vector<Row> rows;
  std::string member;
  for (const std::string &line : lines(r.out)) {
    if (line.empty())
      continue;
    if (dynamic) { // "VALUE T name@@VER" or "         U name@VER"
      std::size_t space = line.rfind(' ');
      rows.push_back({"", line.substr(space - 1, 1), line.substr(space + 1)});
      continue;
    }
    if (line.back() == ':') { // "lib.a[member.o]:"
      std::size_t open = line.find('[');
      member = open == std::string::npos ? "" : base_name(line.substr(open + 1, line.size() - open - 3));
      continue;
    }
    std::size_t space = line.find(' '); // posix: "name type value size"
    std::string type = line.substr(space + 1, 1);
    if (type == "n" || type == "N")
      continue; // COMDAT group signatures and debug symbols
    rows.push_back({member, type, line.substr(0, space)});
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// abitag symbols of READ (FILE itself unless given) against NM of FILE.
void compare_with_nm(const std::string &nm, const std::string &file, const std::string &read = {}) {
  INFO(file);
  std::vector<Row> ours = abitag_rows(read.empty() ? file : read);
  std::vector<Row> theirs = nm_rows(nm, file);
  std::vector<Row> only_ours, only_nm;
  std::set_difference(ours.begin(), ours.end(), theirs.begin(), theirs.end(), std::back_inserter(only_ours));
  std::set_difference(theirs.begin(), theirs.end(), ours.begin(), ours.end(), std::back_inserter(only_nm));
  for (std::size_t i = 0; i < std::min<std::size_t>(only_ours.size(), 5); ++i)
    UNSCOPED_INFO("only abitag: " << only_ours[i].member << " " << only_ours[i].type << " " << only_ours[i].name);
  for (std::size_t i = 0; i < std::min<std::size_t>(only_nm.size(), 5); ++i)
    UNSCOPED_INFO("only nm: " << only_nm[i].member << " " << only_nm[i].type << " " << only_nm[i].name);
  CHECK(only_ours.empty());
  CHECK(only_nm.empty());
  CHECK(!ours.empty());
}

// Spelling differences between binutils' verbose demangler and LLVM's.
std::string normalize(std::string s) {
  static const std::vector<std::pair<std::regex, std::string>> rules = {
      {std::regex("std::basic_string<char, std::char_traits<char>, std::allocator<char> ?>"), "std::string"},
      {std::regex("std::basic_(i|o|io)stream<char, std::char_traits<char> ?>"), "std::$1stream"},
      {std::regex("decltype\\(nullptr\\)"), "std::nullptr_t"},
      {std::regex(" +"), ""}};
  for (const auto &[pattern, replacement] : rules)
    s = std::regex_replace(s, pattern, replacement);
  return s;
}

const char *kSystemLibraries[] = {
    "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",  "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/usr/lib/x86_64-linux-gnu/libapt-pkg.so.6.0", "/usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a",
    "/usr/lib/x86_64-linux-gnu/libgtest.a",       "/usr/lib/llvm-14/lib/libLLVMDemangle.a"};

} // namespace

TEST_CASE("symbols equal nm's on every fixture", "[symbols][nm]") {
  require_tool("nm", "binutils");
  require_tool("readelf", "binutils");
  for (const char *f : {"old-O0/libold.so", "old-O2/libold.so", "new-O0/libnew.so", "new-O2/libnew.so",
                        "libcxx/liblibcxx.so", "i686-new/libnew.so", "exe/app", "archive/libmix.a",
                        "thin/libthin.a", "thin/members/lib.o", "lto/liblto.a", "mixed/libmixed.so",
                        "capi/libcapi.so", "dialect/libdialect.so", "pure-c/libpurec.so",
                        "soname-only/libfoo.so.1.2.3"})
    compare_with_nm("nm", fixture(std::string("cxxabi/") + f));
}

TEST_CASE("symbols equal the cross nm's on big-endian s390x fixtures", "[symbols][nm]") {
  // The host's nm reads only its own targets; the cross binutils read s390x.
  require_tool("s390x-linux-gnu-nm", "binutils-s390x-linux-gnu");
  require_tool("readelf", "binutils");
  for (const char *f : {"s390x-new/libnew.so", "s390x-old/libold.so"})
    compare_with_nm("s390x-linux-gnu-nm", fixture(std::string("cxxabi/") + f));
}

TEST_CASE("an sstrip-ed copy gives the symbols nm -D gives for the original", "[symbols][nm][damaged]") {
  // No section header table and nothing after the last PT_LOAD: the symbols
  // are read through the dynamic segment, as the loader reads them.
  TempDir dir;
  for (const char *f : {"new-O2/libnew.so", "old-O0/libold.so", "libcxx/liblibcxx.so", "i686-new/libnew.so",
                        "exe/app", "mixed/libmixed.so"}) {
    std::string original = fixture(std::string("cxxabi/") + f);
    std::string stripped = dir.path() + "/stripped";
    write_file(stripped, ElfEdit(read_file(original)).sstripped());
    compare_with_nm("nm", original, stripped);
  }
  if (!have_tool("s390x-linux-gnu-nm"))
    FAIL("s390x-linux-gnu-nm is required: run scripts/setup");
  std::string original = fixture("cxxabi/s390x-old/libold.so"), stripped = dir.path() + "/s390x";
  write_file(stripped, ElfEdit(read_file(original)).sstripped());
  compare_with_nm("s390x-linux-gnu-nm", original, stripped);
  // Of this machine's libraries: gold-linked ones mark _edata, __bss_start
  // and _end by other sections than GNU ld.
  for (const char *path : {"/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                           "/usr/lib/llvm-14/lib/libclang-cpp.so.14", "/usr/lib/x86_64-linux-gnu/libc++.so.1"}) {
    if (!std::filesystem::exists(path))
      continue;
    std::string copy = dir.path() + "/system";
    write_file(copy, ElfEdit(read_file(path)).sstripped());
    compare_with_nm("nm", std::filesystem::canonical(path), copy);
  }
}

TEST_CASE("symbols equal nm's on libraries of this machine", "[symbols][nm][system]") {
  require_tool("nm", "binutils");
  require_tool("readelf", "binutils");
  int compared = 0;
  for (const char *path : kSystemLibraries) {
    if (!std::filesystem::exists(path))
      continue;
    compare_with_nm("nm", std::filesystem::canonical(path));
    ++compared;
  }
  CHECK(compared >= 2); // libstdc++ and libc are on every Debian machine with g++
}

TEST_CASE("demangled names equal c++filt's up to spelling", "[symbols][cxxfilt]") {
  require_tool("c++filt", "binutils");
  std::vector<std::string> files = {fixture("cxxabi/old-O0/libold.so"), fixture("cxxabi/new-O0/libnew.so"),
                                    fixture("cxxabi/libcxx/liblibcxx.so"), fixture("cxxabi/dialect/libdialect.so"),
                                    "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"};
  for (const std::string &file : files) {
    INFO(file);
    Run r = run(abitag_binary(), {"symbols", file});
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> text = lines(r.out);
    std::string names;
    std::vector<std::string> ours;
    for (std::size_t i = 1; i < text.size(); ++i) {
      std::vector<std::string> c = split_tabs(text[i]);
      names += c[3] + "\n";
      ours.push_back(c[5]);
    }
    std::vector<std::string> theirs = lines(run("c++filt", {}, names).out);
    REQUIRE(theirs.size() == ours.size());
    std::size_t compared = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      std::string mangled = split_tabs(text[i + 1])[3];
      // LLVM 14 leaves some names mangled (transaction clones) and drops a
      // constructor's name after an ABI tag; both are the demangler's gaps.
      if (ours[i] == mangled && mangled.rfind("_Z", 0) == 0)
        continue;
      if (ours[i].find("]::(") != std::string::npos || ours[i].find("]::~(") != std::string::npos)
        continue;
      INFO(mangled);
      CHECK(normalize(ours[i]) == normalize(theirs[i]));
      ++compared;
    }
    CHECK(compared > 0);
  }
}
