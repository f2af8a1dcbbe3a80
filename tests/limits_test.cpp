// SPDX-License-Identifier: MIT
// Hostile sizes and shapes: each input is made here, in a temporary folder,
// by loops with fixed bounds, and given to the real abitag binary. Memory is
// held to a real limit (prlimit --as), never judged by timing.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "tests/audit_image.h"
#include "tests/elf_edit.h"
#include "tests/support.h"

using namespace abitag::test;

namespace {

constexpr int kDepth = 10000;

// abitag ARGS with its address space limited to LIMIT_MB megabytes.
Run abitag_limited(std::size_t limit_mb, const std::vector<std::string> &args) {
#ifdef ABITAG_SANITIZED
  // AddressSanitizer reserves terabytes of address space for its shadow, so
  // no address-space limit can apply: its own resident-memory limit bounds
  // the run instead, with room for its overhead (about three times).
  std::vector<std::string> all = {"ASAN_OPTIONS=hard_rss_limit_mb=" + std::to_string(limit_mb * 3),
                                  abitag_binary()};
  all.insert(all.end(), args.begin(), args.end());
  return run("env", all);
#else
  require_tool("prlimit", "util-linux");
  std::vector<std::string> all = {"--as=" + std::to_string(limit_mb << 20), abitag_binary()};
  all.insert(all.end(), args.begin(), args.end());
  return run("prlimit", all);
#endif
}

Run run_abitag(const std::vector<std::string> &args) { return run(abitag_binary(), args); }

void put_le(std::string &out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>(value >> (8 * i) & 0xff);
}

void align(std::string &out, std::size_t to) {
  while (out.size() % to != 0)
    out += '\0';
}

// Where the section headers of elf_object's output start, and its section
// indexes; the tests patch them.
constexpr std::size_t kShoffAt = 0x28, kShnumAt = 0x3c;
constexpr int kSymtabIndex = 3;

// An x86-64 relocatable object whose .symtab holds one global function per
// name in NAMES (all defined in .text), written byte by byte.
std::string elf_object(const std::vector<std::string> &names) {
  std::string out(64, '\0');
  out.replace(0, 7, "\x7f" "ELF\x02\x01\x01", 7);
  set_le(out, 16, 1, 2);      // ET_REL
  set_le(out, 18, 62, 2);     // EM_X86_64
  set_le(out, 20, 1, 4);      // EV_CURRENT
  set_le(out, 52, 64, 2);     // e_ehsize
  set_le(out, 58, 64, 2);     // e_shentsize
  set_le(out, kShnumAt, 5, 2);
  set_le(out, 62, 4, 2);      // e_shstrndx
  std::size_t text = out.size();
  out += std::string(16, '\xc3');
  std::size_t strtab = out.size();
  std::vector<std::uint32_t> offsets;
  out += '\0';
  for (const std::string &name : names) {
    offsets.push_back(static_cast<std::uint32_t>(out.size() - strtab));
    out += name;
    out += '\0';
  }
  std::size_t strtab_size = out.size() - strtab;
  align(out, 8);
  std::size_t symtab = out.size();
  out += std::string(24, '\0'); // the null symbol
  for (std::uint32_t offset : offsets) {
    put_le(out, offset, 4);
    put_le(out, 0x12, 1); // STB_GLOBAL, STT_FUNC
    put_le(out, 0, 1);
    put_le(out, 1, 2);    // .text
    put_le(out, 0, 8);
    put_le(out, 0, 8);
  }
  std::size_t symtab_size = out.size() - symtab;
  std::size_t shstrtab = out.size();
  const std::string shnames("\0.text\0.strtab\0.symtab\0.shstrtab\0", 33);
  out += shnames;
  align(out, 8);
  set_le(out, kShoffAt, out.size(), 8);
  auto section = [&](std::uint32_t name, std::uint32_t type, std::uint64_t flags, std::uint64_t offset,
                     std::uint64_t size, std::uint32_t link, std::uint32_t info, std::uint64_t entsize) {
    put_le(out, name, 4);
    put_le(out, type, 4);
    put_le(out, flags, 8);
    put_le(out, 0, 8);
    put_le(out, offset, 8);
    put_le(out, size, 8);
    put_le(out, link, 4);
    put_le(out, info, 4);
    put_le(out, 1, 8);
    put_le(out, entsize, 8);
  };
  section(0, 0, 0, 0, 0, 0, 0, 0);
  section(1, 1, 6, text, 16, 0, 0, 0);                   // .text: PROGBITS, ALLOC|EXECINSTR
  section(7, 3, 0, strtab, strtab_size, 0, 0, 0);         // .strtab
  section(15, 2, 0, symtab, symtab_size, 2, 1, 24);       // .symtab, its names in section 2
  section(23, 3, 0, shstrtab, shnames.size(), 0, 0, 0);   // .shstrtab
  return out;
}

// Makes DIR/d/d/.../d, DEPTH folders deep, through openat from the parent
// (a path that long cannot be named whole), and returns the deepest folder
// open. Bounded by DEPTH.
int make_chain(const std::string &dir, int depth) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (int i = 0; i < depth && fd >= 0; ++i) {
    int next = ::mkdirat(fd, "d", 0755) == 0 ? ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    ::close(fd);
    fd = next;
  }
  return fd;
}

void write_at(int dir_fd, const char *name, const std::string &bytes) {
  int fd = ::openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

// Removes what make_chain made, from the bottom up, DEPTH levels at most:
// std::filesystem::remove_all names each path whole and stops at PATH_MAX.
void remove_chain(const std::string &dir, int depth, const std::vector<std::string> &bottom_entries) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int reached = 0;
  for (; reached < depth && fd >= 0; ++reached) {
    int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (next < 0)
      break;
    ::close(fd);
    fd = next;
  }
  for (const std::string &name : bottom_entries)
    ::unlinkat(fd, name.c_str(), 0);
  for (; reached > 0 && fd >= 0; --reached) {
    int up = ::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    fd = up;
    ::unlinkat(fd, "d", AT_REMOVEDIR);
  }
  if (fd >= 0)
    ::close(fd);
}

} // namespace

TEST_CASE("limits: a tree 10,000 folders deep is walked to the bottom by cxxabi, symbols and audit",
          "[limits]") {
  TempDir dir;
  std::string top = dir.path() + "/image";
  REQUIRE(::mkdir(top.c_str(), 0755) == 0);
  std::string library = read_file(fixture("cxxabi/new-O2/libnew.so"));
  int bottom = make_chain(top, kDepth);
  REQUIRE(bottom >= 0);
  write_at(bottom, "libdeep.so", library);
  REQUIRE(::symlinkat("loop", bottom, "loop") == 0);
  REQUIRE(::symlinkat("..", bottom, "up") == 0);
  ::close(bottom);

  std::string deep_dir = top;
  for (int i = 0; i < kDepth; ++i)
    deep_dir += "/d";
  std::string deep_file = deep_dir + "/libdeep.so";
  REQUIRE(deep_file.size() > 4096 * 4);

  // The file at the bottom is read, and links there are noted, not followed.
  Run explain = run_abitag({"cxxabi", "--scheme", "abi", "--explain", top});
  CHECK(explain.exit_code == 0);
  CHECK(explain.out == "libstdc++-cxx11\n");
  CHECK(explain.err.find(deep_file + ": new-dual-abi") != std::string::npos);
  CHECK(explain.err.find(deep_dir + "/loop: skipped: link loop (loop)") != std::string::npos);
  CHECK(explain.err.find("1 files read") != std::string::npos);

  // Named directly, by a path four times PATH_MAX long.
  Run named = run_abitag({"cxxabi", "--scheme", "abi", deep_file});
  CHECK(named.exit_code == 0);
  CHECK(named.out == "libstdc++-cxx11\n");
  Run symbols = run_abitag({"symbols", top});
  CHECK(symbols.exit_code == 0);
  CHECK(symbols.out.find(deep_file + "\t-\tT\t_ZN3lib10get_stringB5cxx11Ei\t") != std::string::npos);

  Run audit = run_abitag({"audit", "--json", "--only", "cxxabi,ghc", top});
  CHECK(audit.exit_code == 0);
  CHECK(audit.out.find("\"files_read\": 1") != std::string::npos);
  CHECK(audit.err.empty());

  remove_chain(top, kDepth, {"libdeep.so", "loop", "up"});
  CHECK(::rmdir(top.c_str()) == 0); // the cleanup itself reached the bottom
}

TEST_CASE("limits: symbolic link loops give one line or a note, never a hang", "[limits]") {
  TempDir dir;
  std::string d = dir.path();
  REQUIRE(::mkdir((d + "/tree").c_str(), 0755) == 0);
  REQUIRE(::symlink("b", (d + "/a").c_str()) == 0);
  REQUIRE(::symlink("a", (d + "/b").c_str()) == 0);
  REQUIRE(::symlink("self", (d + "/self").c_str()) == 0);
  REQUIRE(::symlink("..", (d + "/tree/parent").c_str()) == 0);
  REQUIRE(::symlink("x", (d + "/tree/x").c_str()) == 0);
  REQUIRE(::symlink("../a", (d + "/tree/to-a").c_str()) == 0);
  write_file(d + "/tree/libnew.so", read_file(fixture("cxxabi/new-O2/libnew.so")));

  // Named on the command line: one line each, exit 3, no value.
  for (const std::string name : {"a", "b", "self"}) {
    for (const std::string command : {"cxxabi", "symbols", "ghc", "sbcl"}) {
      INFO(command << " " << name);
      Run r = run_abitag({command, d + "/" + name});
      CHECK(r.exit_code == 3);
      CHECK(r.err == "abitag: " + d + "/" + name + ": too many levels of symbolic links\n");
    }
  }
  Run value = run_abitag({"cxxabi", d + "/self"});
  CHECK(value.out.empty());

  // Inside a walked tree: passed over with a note; a link to the folder's
  // own parent is not followed (it leads out of the tree).
  Run walked = run_abitag({"cxxabi", "--scheme", "abi", "--explain", d + "/tree"});
  CHECK(walked.exit_code == 0);
  CHECK(walked.out == "libstdc++-cxx11\n");
  CHECK(walked.err.find(d + "/tree/x: skipped: link loop (x)") != std::string::npos);
  CHECK(walked.err.find(d + "/tree/to-a: skipped: link loop (../a)") != std::string::npos);
  CHECK(walked.err.find(d + "/tree/parent: skipped: link to .. outside the walked tree") != std::string::npos);

  // The named link to a folder's parent walks the parent once; the loops
  // there are notes, the library is read once.
  Run parent = run_abitag({"cxxabi", "--scheme", "abi", "--explain", d + "/tree/parent"});
  CHECK(parent.exit_code == 0);
  CHECK(parent.err.find("1 files read") != std::string::npos);
  CHECK(parent.err.find(d + "/tree/parent/self: skipped: link loop (self)") != std::string::npos);

  Run audit = run_abitag({"audit", "--only", "cxxabi", d});
  CHECK(audit.exit_code == 0);
}

TEST_CASE("limits: two million symbols and 1 MB names are read in bounded memory", "[limits]") {
#ifdef ABITAG_SANITIZED
  constexpr int kSymbols = 200000; // far slower per symbol; the sanitizers look for bad reads, not memory use
#else
  constexpr int kSymbols = 2000000;
#endif
  std::vector<std::string> names;
  names.reserve(kSymbols + 3);
  for (int i = 0; i < kSymbols; ++i) {
    std::string entity = "f" + std::to_string(i);
    names.push_back("_ZN3lib" + std::to_string(entity.size()) + entity + "Ev");
  }
  names.push_back("_ZN3lib10get_stringB5cxx11Ei");
  std::string nested = "_ZN";
  for (int i = 0; i < (1 << 18); ++i) // 262,144 components: a 1 MB name
    nested += "3abc";
  nested += "Ev";
  names.push_back(nested);
  std::string pointers = "_Z1f" + std::string(1 << 20, 'P') + "v"; // a type nested a million deep
  names.push_back(pointers);
  TempDir dir;
  std::string object = dir.path() + "/many.o";
  write_file(object, elf_object(names));
  names.clear();

  // 2,000,003 symbols in an 87 MB file, about 50 bytes a symbol kept besides
  // the mapped file; symbols writes its rows a block at a time. The limit
  // also holds the 60 MB of address space the shared libraries abitag links
  // take before it reads anything (30 MB of it ICU's data, which libxml2
  // brings in for libarchive), so it is set well above the 250 MB both runs
  // take.
  constexpr std::size_t kLimitMb = 320;
  Run value = abitag_limited(kLimitMb, {"cxxabi", "--scheme", "abi", object});
  CHECK(value.exit_code == 0);
  CHECK(value.out == "libstdc++-cxx11\n");
  CHECK(value.err.empty());

  Run symbols = abitag_limited(kLimitMb, {"symbols", object});
  CHECK(symbols.exit_code == 0);
  CHECK(symbols.err.empty());
  std::size_t rows = 0;
  for (char c : symbols.out)
    rows += c == '\n';
  CHECK(rows == kSymbols + 4); // the header and every symbol
  std::string last = "f" + std::to_string(kSymbols - 1);
  CHECK(symbols.out.find(object + "\t-\tT\t_ZN3lib" + std::to_string(last.size()) + last + "Ev\t-\tlib::" + last +
                         "()\t-\t") != std::string::npos);
  // Names too long to demangle safely are shown as they are, as c++filt
  // shows a name it gives up on.
  CHECK(symbols.out.find("\t" + pointers + "\t-\t" + pointers + "\t") != std::string::npos);
  CHECK(symbols.out.find("\t" + nested + "\t-\t" + nested + "\t") != std::string::npos);
}

namespace {

// An ar member header: name, date, uid, gid, mode, SIZE, then the end magic.
std::string ar_header(const std::string &name, const std::string &size) {
  auto field = [](std::string value, std::size_t width) {
    value.resize(width, ' ');
    return value;
  };
  return field(name, 16) + field("0", 12) + field("0", 6) + field("0", 6) + field("644", 8) +
         field(size, 10) + "`\n";
}

} // namespace

TEST_CASE("limits: archive members and ELF sections claiming huge sizes are bad input, exit 3",
          "[limits]") {
  TempDir dir;
  std::string good = elf_object({"_ZN3lib10get_stringB5cxx11Ei"});
  std::size_t shoff = get_le(good, kShoffAt, 8);
  std::size_t symtab_size_at = shoff + kSymtabIndex * 64 + 32;
  std::size_t null_size_at = shoff + 32; // section 0's sh_size: the count when e_shnum is 0

  struct Case {
    std::string name, bytes, reason;
  };
  std::vector<Case> cases;
  cases.push_back({"member.a", "!<arch>\n" + ar_header("a.o/", "9999999999") + good,
                   "truncated or malformed archive (member header at offset 8 claims 9999999999 bytes"});
  cases.push_back({"symtab.a", "!<arch>\n" + ar_header("/", "99999999") + good,
                   "truncated or malformed archive"});
  std::string sized = good;
  set_le(sized, symtab_size_at, 0xffffffffffff0, 8);
  cases.push_back({"symtab-size.o", sized, "greater than the file size"});
  std::string counted = good;
  set_le(counted, kShnumAt, 0xffff, 2);
  cases.push_back({"shnum.o", counted, "section table goes past the end of file"});
  std::string extended = good;
  set_le(extended, kShnumAt, 0, 2);
  set_le(extended, null_size_at, 0xffffffffffffffff, 8);
  cases.push_back({"extended-count.o", extended, "invalid number of sections"});
  std::string far = good;
  set_le(far, kShoffAt, 0xfffffffffffff000, 8);
  cases.push_back({"shoff.o", far, "section header table goes past the end of the file"});

  for (const Case &c : cases) {
    INFO(c.name);
    std::string path = dir.path() + "/" + c.name;
    write_file(path, c.bytes);
    for (const std::string command : {"cxxabi", "symbols"}) {
      Run r = abitag_limited(256, {command, path});
      CHECK(r.exit_code == 3);
      REQUIRE(lines(r.err).size() == 1);
      CHECK(r.err.rfind("abitag: " + path + ": ", 0) == 0);
      CHECK(r.err.find(c.reason) != std::string::npos);
    }
  }
  // The audit reads programs and libraries as the loader does: a section
  // table claiming 65,535 sections is passed over (the symbols are read
  // through the dynamic segment), a load segment claiming 2^40 file bytes
  // is a finding.
  std::string root = dir.path() + "/root";
  std::string library = read_file(fixture("cxxabi/new-O2/libnew.so"));
  set_le(library, 0x3c, 0xffff, 2);
  std::filesystem::create_directories(root + "/usr/lib");
  write_file(root + "/usr/lib/libhuge.so", library);
  std::string segment = read_file(fixture("cxxabi/new-O2/libnew.so"));
  std::size_t phoff = get_le(segment, 0x20, 8);
  REQUIRE(get_le(segment, phoff, 4) == 1); // the first program header is PT_LOAD
  set_le(segment, phoff + 32, 1ULL << 40, 8); // its p_filesz
  set_le(segment, phoff + 40, 1ULL << 40, 8); // its p_memsz
  write_file(root + "/usr/lib/libhugeload.so", segment);
  Run audit = abitag_limited(512, {"audit", "--json", "--only", "linkage", root});
  CHECK(audit.exit_code == 0);
  std::map<std::string, std::string> unreadable; // file -> reason
  nlohmann::json report = nlohmann::json::parse(audit.out);
  for (const auto &finding : report["findings"])
    if (finding["kind"] == "unreadable")
      unreadable[finding["file"].get<std::string>()] = finding["reason"].get<std::string>();
  CHECK(unreadable.count("/usr/lib/libhuge.so") == 0);
  CHECK(unreadable["/usr/lib/libhugeload.so"] ==
        "cannot be read: a PT_LOAD segment (1099511627776 bytes at offset 0x0) runs past the end of the file");
}

TEST_CASE("limits: an SBCL core whose directory claims terabytes is bad input, nothing that size allocated",
          "[limits]") {
  require_tool("zstd", "zstd");
  TempDir dir;
  std::string stub = read_file(fixture("sbcl/zstd.stub.core")); // a 32 KiB header page, then the trailer
  constexpr std::size_t kPage = 32768;
  REQUIRE(stub.size() == kPage + 16);
  // The directory entry: tag 3861, its length in words, then five words per
  // space (id with the compression flag, nwords, data page, address, pages).
  std::size_t directory = 0;
  for (std::size_t at = 8; at + 16 <= kPage && directory == 0; at += 8)
    if (get_le(stub, at, 8) == 3861 && get_le(stub, at + 8, 8) % 5 == 2)
      directory = at;
  REQUIRE(directory != 0);
  std::size_t spaces = (get_le(stub, directory + 8, 8) - 2) / 5;
  REQUIRE(spaces >= 1);

  std::string zeros_path = dir.path() + "/zeros";
  write_file(zeros_path, std::string(65536, '\0'));
  Run frame = run("zstd", {"-q", "-c", zeros_path});
  REQUIRE(frame.exit_code == 0);

  // Every space's stream starts right after the header page, in the file;
  // each claims PAGES pages and NWORDS words.
  auto core = [&](std::uint64_t pages, std::uint64_t nwords, bool compressed) {
    std::string bytes = stub.substr(0, kPage);
    for (std::size_t i = 0; i < spaces; ++i) {
      std::size_t entry = directory + 16 + i * 40;
      std::uint64_t id = get_le(bytes, entry, 8);
      set_le(bytes, entry, compressed ? id | 8 : id & ~std::uint64_t(8), 8);
      set_le(bytes, entry + 8, nwords, 8);
      set_le(bytes, entry + 16, 0, 8);
      set_le(bytes, entry + 32, pages, 8);
    }
    return bytes + frame.out + stub.substr(kPage);
  };
  constexpr std::uint64_t kTerabytePages = (std::uint64_t(1) << 40) / kPage;
  struct Case {
    std::string name, bytes, reason;
  };
  const std::vector<Case> cases = {
      // Pages and words of a terabyte: refused before anything is decompressed.
      {"terabyte-words.core", core(kTerabytePages, std::uint64_t(1) << 37, true), "more than abitag decompresses"},
      // A terabyte of pages, 8 MB of words: the 64 KiB stream ends long
      // before (what follows it, the trailer, is no zstd frame).
      {"terabyte-pages.core", core(kTerabytePages, 1 << 20, true), "corrupt zstd stream in space"},
      // Uncompressed, a terabyte of pages cannot lie in the file.
      {"terabyte-raw.core", core(kTerabytePages, 1 << 20, false), "directory entry outside the file"},
      // More words than 2^64 bytes of pages hold.
      {"overflow.core", core(~std::uint64_t(0) / kPage, ~std::uint64_t(0), true), "more than its pages hold"},
  };
  for (const Case &c : cases) {
    INFO(c.name);
    std::string path = dir.path() + "/" + c.name;
    write_file(path, c.bytes);
    Run r = abitag_limited(512, {"sbcl", "--json", path});
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    REQUIRE(lines(r.err).size() == 1);
    CHECK(r.err.rfind("abitag: " + path + ": ", 0) == 0);
    INFO(r.err);
    CHECK(r.err.find(c.reason) != std::string::npos);
  }
}

TEST_CASE("limits: a compressed module that decompresses past 512 MiB is bad input, in bounded memory",
          "[limits][kmod]") {
  require_tool("zstd", "zstd");
  TempDir dir;
  // 600 frames of 1 MiB of zeros, one after another, as zstd concatenates
  // them: 600 MiB from a few kilobytes.
  std::string zeros_path = dir.path() + "/zeros";
  write_file(zeros_path, std::string(1 << 20, '\0'));
  Run frame = run("zstd", {"-q", "-c", zeros_path});
  REQUIRE(frame.exit_code == 0);
  std::string bytes;
  for (int i = 0; i < 600; ++i)
    bytes += frame.out;
  std::string path = dir.path() + "/huge.ko.zst";
  write_file(path, bytes);
  Run r = abitag_limited(1024, {"kmod", path});
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  REQUIRE(lines(r.err).size() == 1);
  CHECK(r.err == "abitag: " + path + ": corrupt zstd stream: it decompresses to more than 536870912 bytes\n");
}

TEST_CASE("limits: GHC inputs of tens of megabytes are read in bounded memory", "[limits]") {
  const std::string conf = read_file(fixture("ghc/db-abi-lower/tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s.conf"));
  const std::string tag = "tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s:95a09e9fce30b8741b608160113fc723\n";
  REQUIRE(conf.find("depends:") != std::string::npos);
  TempDir dir;
  // A 39 MB description: a million-deep nest of parentheses, then two
  // million continuation lines.
  std::string description = "description:\n    " + std::string(1000000, '(') + "\n";
  for (int i = 0; i < 2000000; ++i)
    description += "    more text line\n";
  write_file(dir.path() + "/huge.conf", conf + description);
  // A million dependencies.
  std::string depends = "depends:\n";
  for (int i = 0; i < 1000000; ++i)
    depends += "    dep-" + std::to_string(i) + "-abc\n";
  std::string many = conf;
  many.replace(many.find("depends:"), 8, depends);
  write_file(dir.path() + "/deps.conf", many);
  // A register.sh of two million lines around its one registration.
  std::string filler;
  for (int i = 0; i < 1000000; ++i)
    filler += "# filler\n";
  std::string quoted;
  for (char c : conf)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  write_file(dir.path() + "/register.sh",
             "#!/bin/sh\n" + filler + "echo '" + quoted + "' | ghc-pkg update -\n" + filler);

  for (const std::string name : {"huge.conf", "deps.conf", "register.sh"}) {
    INFO(name);
    Run r = abitag_limited(512, {"ghc", "--tag", dir.path() + "/" + name});
    CHECK(r.exit_code == 0);
    CHECK(r.out == tag);
    CHECK(r.err.empty());
  }
  Run json = abitag_limited(512, {"ghc", "--json", dir.path() + "/deps.conf"});
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("\"dep-999999-abc\"") != std::string::npos);
}

#ifndef ABITAG_SANITIZED // AddressSanitizer's shadow memory takes any address-space limit away
namespace {

// The smallest address space, in MiB, in which `abitag analyzers` runs: what
// the binary and its libraries take before any work. With a thread stack
// of STACK_MB, so that a limit just above it leaves no room for another.
std::size_t starting_address_space(std::size_t stack_mb) {
  require_tool("prlimit", "util-linux");
  for (std::size_t mb = 16; mb <= 2048; mb += 4) {
    Run r = run("prlimit", {"--stack=" + std::to_string(stack_mb << 20), "--as=" + std::to_string(mb << 20),
                            abitag_binary(), "analyzers"});
    if (r.exit_code == 0)
      return mb;
  }
  FAIL("abitag does not start in 2 GiB of address space");
  return 0;
}

// Runs abitag with ARGS freely, then in an address space just big enough to
// start it but with no room for a second thread's stack: the same report,
// the same EXIT_CODE, nothing on stderr.
void check_same_report_on_one_thread(std::vector<std::string> args, int exit_code) {
  constexpr std::size_t kStackMb = 16; // each new thread's stack: more than the room left
  std::size_t limit = starting_address_space(kStackMb) + 6;
  Run free = run(abitag_binary(), args);
  REQUIRE(free.exit_code == exit_code);
  args.insert(args.begin(), {"--stack=" + std::to_string(kStackMb << 20), "--as=" + std::to_string(limit << 20),
                             abitag_binary()});
  Run tight = run("prlimit", args);
  CHECK(tight.exit_code == exit_code);
  CHECK(tight.err.empty());
  CHECK(tight.out == free.out);
}

} // namespace

TEST_CASE("limits: with no room for a second thread, the work is done on the one there is", "[limits]") {
  // Folders, each walked by several threads, then their files read by several.
  std::vector<std::string> args = {"cxxabi", "--json"};
  for (const char *folder : {"new-O0", "old-O2", "libcxx", "mixed", "exe", "s390x-new", "archive", "thin"})
    args.push_back(fixture(std::string("cxxabi/") + folder));
  check_same_report_on_one_thread(args, 0);
}

TEST_CASE("limits: the audit with no room for a second thread walks and reads and links on the one there is",
          "[limits]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken"); // findings in every ELF section
  check_same_report_on_one_thread({"audit", image, "--json"}, 1);
}

TEST_CASE("limits: memory that runs out ends with one line and exit 4, not an abort", "[limits]") {
  // Two million symbols in a 70 MB file: mapped, it fits; the 150 MB of
  // symbols read from it do not.
  std::vector<std::string> names;
  for (int i = 0; i < 2000000; ++i)
    names.push_back("_ZN3lib" + std::to_string(std::to_string(i).size() + 1) + "f" + std::to_string(i) + "Ev");
  TempDir dir;
  std::string object = dir.path() + "/many.o";
  std::string bytes = elf_object(names);
  names.clear();
  names.shrink_to_fit();
  write_file(object, bytes);
  std::size_t limit = starting_address_space(8) + (bytes.size() >> 20) + 24;
  bytes.clear();
  Run r = run("prlimit", {"--as=" + std::to_string(limit << 20), abitag_binary(), "cxxabi", object});
  CHECK(r.exit_code == 4);
  CHECK(r.err == "abitag: out of memory\n");
  CHECK(r.out.empty());
}
#endif
