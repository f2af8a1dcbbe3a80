// SPDX-License-Identifier: MIT
// Damaged inputs never get a confident answer: each case damages a copy of
// a real file (a fixture, or a file of this machine) the way the mutation
// run (scripts/mutate) does, and runs the real binary. Either the answer is
// the undamaged file's (the damage is in bytes the answer does not come
// from), or it is exit 3 with one line naming the file and the reason.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "elf/lto_symtab.h"
#include "fingerprint/errors.h"
#include "tests/elf_edit.h"
#include "tests/support.h"

using namespace abitag::test;

namespace {

constexpr std::uint32_t kShtProgbits = 1, kShtDynsym = 11, kShtVersym = 0x6fffffff;
constexpr std::int64_t kDtStrsz = 10, kDtGnuHash = 0x6ffffef5;

// Writes BYTES to DIR/NAME and runs abitag ARGS... on it.
struct Damaged {
  const TempDir &dir;
  std::string path(const std::string &name) const { return dir.path() + "/" + name; }
  Run run_on(const std::string &name, const std::string &bytes, std::vector<std::string> args) const {
    write_file(path(name), bytes);
    args.push_back(path(name));
    return run(abitag_binary(), args);
  }
};

// Exit 3, nothing on stdout, one line "abitag: PATH: ..." that holds REASON.
void check_refused(const Run &r, const std::string &path, const std::string &reason) {
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK(lines(r.err).size() == 1);
  CHECK(r.err.rfind("abitag: " + path + ": ", 0) == 0);
  CHECK(r.err.find(reason) != std::string::npos);
}

std::string value_of(const std::vector<std::string> &args) {
  Run r = run(abitag_binary(), args);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

} // namespace

TEST_CASE("damaged: a library without usable section headers is read through its dynamic segment",
          "[damaged][cxxabi]") {
  TempDir dir;
  Damaged d{dir};
  std::string original = fixture("cxxabi/new-O2/libnew.so");
  std::string expected = value_of({"cxxabi", "--scheme", "abi", original});
  REQUIRE(expected == "libstdc++-cxx11\n");
  ElfEdit good(read_file(original));

  ElfEdit zeroed = good; // the table is there, but all zeros: no section describes the file
  std::size_t table = zeroed.get(zeroed.e_shoff());
  std::fill(zeroed.bytes.begin() + table, zeroed.bytes.end(), '\0');
  ElfEdit counted = good; // 65,535 sections: the table runs past the end of the file
  counted.set(counted.e_shnum(), 0xffff);
  struct Case {
    std::string name, bytes, reason;
  } cases[] = {{"sstripped.so", good.sstripped(), "there is no section header table"},
               {"zeroed.so", zeroed.bytes, "the section header table does not describe the dynamic segment"},
               {"counted.so", counted.bytes, "the section header table is unreadable (section table goes past"}};
  for (const Case &c : cases) {
    INFO(c.name);
    Run r = d.run_on(c.name, c.bytes, {"cxxabi", "--scheme", "abi", "--explain"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == expected);
    CHECK(r.err.find("symbols read through the dynamic segment, as the loader reads them: " + c.reason) !=
          std::string::npos);
    nlohmann::json doc = nlohmann::json::parse(value_of({"cxxabi", "--json", d.path(c.name)}));
    CHECK(doc["files"][0]["symbols_from"] == "dynamic-segment");
    CHECK(doc["files"][0]["symbols_from_reason"].get<std::string>().rfind(c.reason, 0) == 0);
  }
  nlohmann::json whole = nlohmann::json::parse(value_of({"cxxabi", "--json", original}));
  CHECK(whole["files"][0]["symbols_from"] == "section-headers");
  CHECK(whole["files"][0].count("symbols_from_reason") == 0);
}

TEST_CASE("damaged: section headers that disagree with the dynamic segment are bad input", "[damaged][cxxabi]") {
  TempDir dir;
  Damaged d{dir};
  ElfEdit good(read_file(fixture("cxxabi/new-O2/libnew.so")));
  std::size_t dynsym = *good.section_of_type(kShtDynsym), versym = *good.section_of_type(kShtVersym);
  std::size_t dynstr = *good.section_named(".dynstr");

  ElfEdit one = good; // .dynsym cut to one entry: nm warns that the version count no longer matches
  one.set(one.sh_size(dynsym), 24);
  ElfEdit retyped = good;
  retyped.set(retyped.sh_type(dynsym), kShtProgbits);
  ElfEdit moved = good;
  moved.set(moved.sh_addr(dynsym), good.get(good.sh_addr(dynsym)) + 24);
  ElfEdit strings = good;
  strings.set(strings.sh_addr(dynstr), good.get(good.sh_addr(dynstr)) + 1);
  ElfEdit longer = good; // still ends in NUL: the next section starts with one
  longer.set(longer.sh_size(dynstr), good.get(good.sh_size(dynstr)) + 2);
  ElfEdit versions = good;
  versions.set(versions.sh_size(versym), good.get(good.sh_size(versym)) - 2);
  struct Case {
    std::string name, bytes, reason;
  } cases[] = {{"one.so", one.bytes, ".gnu.version has 25 entries for the 1 symbols of .dynsym"},
               {"retyped.so", retyped.bytes,
                "the dynamic segment has DT_SYMTAB but the section headers have no .dynsym"},
               {"moved.so", moved.bytes, ".dynsym is at address"},
               {"strings.so", strings.bytes, ".dynstr is at address"},
               {"longer.so", longer.bytes, "DT_STRSZ says"},
               {"versions.so", versions.bytes, ".gnu.version has 24 entries for the 25 symbols of .dynsym"}};
  for (const Case &c : cases) {
    INFO(c.name);
    for (const char *command : {"cxxabi", "symbols"})
      check_refused(d.run_on(c.name, c.bytes, {command}), d.path(c.name), c.reason);
  }
}

TEST_CASE("damaged: the sections nm's letters come from must be what the loader loads", "[damaged][cxxabi]") {
  TempDir dir;
  Damaged d{dir};
  ElfEdit good(read_file(fixture("cxxabi/new-O2/libnew.so")));
  std::size_t text = *good.section_named(".text"), versym = *good.section_of_type(kShtVersym);
  ElfEdit unloaded = good; // every function would show as 'N'
  unloaded.set(unloaded.sh_flags(text), 0);
  ElfEdit unversioned = good; // every symbol would lose its version
  unversioned.set(unversioned.sh_size(versym), 0);
  struct Case {
    std::string name, bytes, reason;
  };
  std::vector<Case> cases = {
      {"unloaded.so", unloaded.bytes, "has an address (0x10C0) but is not loaded (no SHF_ALLOC)"},
      {"unversioned.so", unversioned.bytes, ".gnu.version has 0 entries for the 25 symbols"}};
  // Data and .bss of libstdc++, which every machine with g++ has.
  std::string system = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
  if (std::filesystem::exists(system)) {
    ElfEdit library(read_file(std::filesystem::canonical(system)));
    std::size_t data = *library.section_named(".data"), bss = *library.section_named(".bss");
    ElfEdit flagged = library; // SHF_TLS among all the flags: 'D' would read as 'T'
    flagged.set(flagged.sh_flags(data), ~0ULL);
    ElfEdit filled = library; // .bss with contents: 'B' would read as 'D'
    filled.set(filled.sh_type(bss), kShtProgbits);
    cases.push_back({"flagged.so", flagged.bytes, "is a TLS section (SHF_TLS) outside the TLS segment"});
    cases.push_back({"filled.so", filled.bytes, "has contents, but not where its segment loads them from"});
  }
  for (const Case &c : cases) {
    INFO(c.name);
    check_refused(d.run_on(c.name, c.bytes, {"symbols"}), d.path(c.name), c.reason);
  }
}

TEST_CASE("damaged: a dynamic segment that does not hold together is bad input", "[damaged][cxxabi]") {
  TempDir dir;
  Damaged d{dir};
  ElfEdit stripped(ElfEdit(read_file(fixture("cxxabi/new-O2/libnew.so"))).sstripped());
  ElfEdit strings = stripped;
  strings.set(*strings.dynamic_value(kDtStrsz), 1 << 20);
  ElfEdit hashless = stripped; // DT_GNU_HASH turned into a tag the loader ignores
  std::optional<Field> hash = hashless.dynamic_value(kDtGnuHash);
  REQUIRE(hash);
  hashless.set(Field{hash->at - 8, 8}, 0x6ffffdff);
  ElfEdit cut = stripped;
  cut.bytes.resize(cut.bytes.size() - 16);
  struct Case {
    std::string name, bytes, reason;
  } cases[] = {{"strings.so", strings.bytes, "the dynamic string table (DT_STRTAB, DT_STRSZ) (1048576 bytes"},
               {"hashless.so", hashless.bytes, "no hash table (DT_GNU_HASH or DT_HASH) to count its symbols by"},
               {"cut.so", cut.bytes, "a PT_LOAD segment"}};
  for (const Case &c : cases) {
    INFO(c.name);
    check_refused(d.run_on(c.name, c.bytes, {"cxxabi"}), d.path(c.name), c.reason);
  }
  // A GNU hash table that hashes no symbol (a library that only imports)
  // counts none: without section headers nothing says how many there are.
  std::string imports_only = "/usr/libexec/coreutils/libstdbuf.so";
  if (std::filesystem::exists(imports_only))
    check_refused(d.run_on("stdbuf.so", ElfEdit(read_file(imports_only)).sstripped(), {"symbols"}),
                  d.path("stdbuf.so"), "the GNU hash table hashes none of them and there is no DT_HASH");
}

TEST_CASE("damaged: an archive cut at a member boundary, or whose index lists what a member lacks",
          "[damaged][cxxabi]") {
  TempDir dir;
  Damaged d{dir};
  std::string archive = read_file(fixture("cxxabi/archive/libmix.a"));
  std::vector<std::size_t> members = ar_member_headers(archive);
  REQUIRE(members.size() == 3); // the symbol index, lib.o, holder.o
  // Whole headers and no stray bytes: only the index shows what is lost.
  for (std::size_t cut : {members[1], members[2]}) {
    INFO(cut);
    check_refused(d.run_on("cut.a", archive.substr(0, cut), {"cxxabi"}), d.path("cut.a"),
                  "the archive's symbol index names a member at offset " + std::to_string(cut) +
                      ", past the end of the file: the archive was cut short");
  }
  std::string renamed = archive; // one name of the index changed: a member no longer defines it
  std::size_t name = renamed.find("_ZN3lib10get_stringEi", members[0]);
  REQUIRE(name < members[1]);
  renamed[name + 5] = 'X';
  check_refused(d.run_on("renamed.a", renamed, {"symbols"}), d.path("renamed.a"),
                "member 'lib.o': the archive's symbol index lists '_ZN3lXb10get_stringEi' for this member, "
                "which does not define it");
  // A member's .text no longer loaded: its functions would show as 'N'.
  ElfEdit member(archive.substr(members[1] + 60));
  member.set(member.sh_flags(*member.section_named(".text")), 0);
  std::string unloaded = archive;
  unloaded.replace(members[1] + 60, member.bytes.size(), member.bytes);
  check_refused(d.run_on("unloaded.a", unloaded, {"symbols"}), d.path("unloaded.a"),
                "member 'lib.o': symbol ");
  CHECK(run(abitag_binary(), {"symbols", d.path("unloaded.a")}).err.find(
            ", a function or variable, is defined in section 2, which is not loaded (no SHF_ALLOC)") !=
        std::string::npos);
  // The same .text retyped a section group: its functions would show as 'n'.
  ElfEdit grouped(archive.substr(members[1] + 60));
  grouped.set(grouped.sh_type(*grouped.section_named(".text")), 17 /*SHT_GROUP*/);
  std::string regrouped = archive;
  regrouped.replace(members[1] + 60, grouped.bytes.size(), grouped.bytes);
  check_refused(d.run_on("grouped.a", regrouped, {"symbols"}), d.path("grouped.a"),
                ", a function or variable, is defined in section 2, a section group (SHT_GROUP)");
  std::string nameless = archive; // a member's name wiped: it would be listed under a name of NULs
  std::fill(nameless.begin() + members[1], nameless.begin() + members[1] + 16, '\0');
  check_refused(d.run_on("nameless.a", nameless, {"symbols"}), d.path("nameless.a"),
                "member header at offset " + std::to_string(members[1]) + ": its name is not text");
}

TEST_CASE("damaged: a slim LTO member whose LTO table cannot be read is bad input", "[damaged][cxxabi]") {
  TempDir dir;
  Damaged d{dir};
  std::string archive = read_file(fixture("cxxabi/lto/liblto.a"));
  std::size_t member = ar_member_headers(archive)[1] + 60;
  ElfEdit object(archive.substr(member));
  std::size_t table = *object.section_named(".gnu.lto_.symtab.");
  std::size_t table_at = member + object.get(object.sh_offset(table));

  std::string retyped = archive; // no longer PROGBITS: the table is not found
  ElfEdit edit = object;
  edit.set(edit.sh_type(table), 7 /*SHT_NOTE*/);
  retyped.replace(member, edit.bytes.size(), edit.bytes);
  check_refused(d.run_on("retyped.a", retyped, {"cxxabi"}), d.path("retyped.a"),
                "without an LTO symbol table (.gnu.lto_.symtab)");
  std::string zeroed = archive; // the first entries wiped
  std::fill(zeroed.begin() + table_at, zeroed.begin() + table_at + 64, '\0');
  check_refused(d.run_on("zeroed.a", zeroed, {"symbols"}), d.path("zeroed.a"),
                "LTO symbol table: an entry without a name at offset 0");
}

TEST_CASE("damaged: the LTO table's entries are checked field by field", "[damaged][cxxabi]") {
  using abitag::elf::parse_lto_symtab;
  std::string tail(12, '\0'); // the size and slot, never read
  auto entry = [&](std::string name, char kind, char visibility) {
    return name + '\0' + '\0' + kind + visibility + tail;
  };
  llvm::Expected<std::vector<abitag::elf::LtoSymbol>> good = parse_lto_symtab(entry("_Z1fv", 0, 3));
  REQUIRE(static_cast<bool>(good));
  CHECK(good->size() == 1);
  auto reason = [](llvm::Expected<std::vector<abitag::elf::LtoSymbol>> parsed) {
    return parsed ? std::string() : abitag::to_message(parsed.takeError());
  };
  CHECK(reason(parse_lto_symtab(entry("", 0, 0))) == "LTO symbol table: an entry without a name at offset 0");
  CHECK(reason(parse_lto_symtab(entry("_Z1fv", 5, 0))) == "LTO symbol table: unknown symbol kind 5");
  CHECK(reason(parse_lto_symtab(entry("_Z1fv", 0, 4))) == "LTO symbol table: unknown symbol visibility 4");
  CHECK(reason(parse_lto_symtab(entry("_Z1fv", 0, 0).substr(0, 15))) == "LTO symbol table: truncated entry");
}

TEST_CASE("damaged: an SBCL build id that is empty, zeroed or overwritten is bad input", "[damaged][sbcl]") {
  TempDir dir;
  Damaged d{dir};
  const std::string id = "x86-ubc-01-buildd-2022-10-05-17-50-07";
  for (const char *core : {"plain.stub.core", "exe.stub"}) {
    INFO(core);
    std::string bytes = read_file(fixture(std::string("sbcl/") + core));
    std::size_t at = bytes.find(id);
    REQUIRE(at != std::string::npos);
    std::string zeroed = bytes, filled = bytes, holed = bytes;
    std::fill(zeroed.begin() + at, zeroed.begin() + at + id.size(), '\0');
    std::fill(filled.begin() + at, filled.begin() + at + id.size(), '\xff');
    holed[at + 3] = '\0';
    check_refused(d.run_on(core, zeroed, {"sbcl"}), d.path(core), "holds a build id of 37 zero bytes");
    check_refused(d.run_on(core, filled, {"sbcl"}), d.path(core), "with byte 0xff at 0");
    check_refused(d.run_on(core, holed, {"sbcl"}), d.path(core), "with byte 0x0 at 3");
  }
  // A runtime whose build_id symbol holds an empty string.
  Run which = run("sh", {"-c", "command -v sbcl"});
  if (which.exit_code != 0)
    FAIL("sbcl is required: run scripts/setup");
  std::string runtime = read_file(std::filesystem::canonical(lines(which.out)[0]));
  std::size_t at = runtime.find(id);
  REQUIRE(at != std::string::npos);
  std::fill(runtime.begin() + at, runtime.begin() + at + id.size(), '\0');
  check_refused(d.run_on("sbcl", runtime, {"sbcl"}), d.path("sbcl"), "the build_id symbol holds an empty build id");
}

TEST_CASE("damaged: ghc --tag of a .conf without an ABI hash is bad input", "[damaged][ghc]") {
  TempDir dir;
  Damaged d{dir};
  std::string conf = read_file(fixture("ghc/tinylib/tinylib.conf"));
  std::size_t abi = conf.find("\nabi:");
  REQUIRE(abi != std::string::npos);
  std::size_t end = conf.find('\n', abi + 1);
  std::string without = conf.substr(0, abi) + conf.substr(end);
  std::string empty = conf.substr(0, abi) + "\nabi:" + conf.substr(end);
  const std::string id = "tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s";
  check_refused(d.run_on("without.conf", without, {"ghc", "--tag"}), d.path("without.conf"),
                "no abi field, which --tag needs (id " + id + ")");
  check_refused(d.run_on("empty.conf", empty, {"ghc", "--tag"}), d.path("empty.conf"),
                "empty abi field, which --tag needs (id " + id + ")");
  // The id alone is still there to print.
  CHECK(d.run_on("without.conf", without, {"ghc"}).out == id + "\n");
}
