// SPDX-License-Identifier: MIT
// The sbcl analyzer on the committed stubs (the real header page and trailer
// of cores saved by Debian's sbcl): build ids against what the runtime named
// for them (expected.tsv), the header layouts, directory walks and bad input.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "analyzers/sbcl/core_header.h"
#include "analyzers/sbcl/sbcl_file.h"
#include "fingerprint/errors.h"
#include "tests/support.h"

using namespace abitag::test;
using namespace abitag::sbcl;
namespace fs = std::filesystem;

namespace {

Run abitag_sbcl(std::vector<std::string> args) {
  args.insert(args.begin(), "sbcl");
  return run(abitag_binary(), args);
}

std::map<std::string, std::string> expected_build_ids() {
  std::map<std::string, std::string> out;
  std::ifstream in(fixture("sbcl/expected.tsv"));
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line))
    out[line.substr(0, line.find('\t'))] = line.substr(line.find('\t') + 1);
  return out;
}

void put_word(std::string &bytes, std::size_t word, std::uint64_t value) {
  for (int i = 0; i < 8; ++i)
    bytes[word * 8 + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

// identify_file, with an error shown as the test's failure.
SbclFile identify(const std::string &path) {
  llvm::Expected<SbclFile> file = identify_file(path);
  if (!file)
    FAIL(path << ": " << abitag::to_message(file.takeError()));
  return std::move(*file);
}

} // namespace

TEST_CASE("sbcl: the build id of each stub is the one the runtime names for it", "[sbcl]") {
  auto expected = expected_build_ids();
  REQUIRE(expected.size() == 6);
  for (const auto &[stub, build_id] : expected) {
    INFO(stub);
    Run r = abitag_sbcl({fixture("sbcl/" + stub)});
    CHECK(r.exit_code == 0);
    CHECK(r.out == build_id + "\n");
    CHECK(r.err.empty());
  }
}

TEST_CASE("sbcl: header fields of the real 2.2.9 headers", "[sbcl]") {
  std::optional<SbclFile> plain = identify(fixture("sbcl/plain.stub.core"));
  CHECK(plain->kind == FileKind::Core);
  REQUIRE(plain->header);
  const CoreHeader &h = *plain->header;
  CHECK(h.location.word.size == 8);
  CHECK_FALSE(h.location.word.big_endian);
  CHECK(h.location.core_start == 0);
  CHECK(h.build_id_layout == "strlen, bytes (1.3.21 to 2.4.9)");
  CHECK_FALSE(h.gc_id);
  CHECK_FALSE(h.runtime_options);
  REQUIRE(h.spaces.size() == 5);
  CHECK(h.spaces[1].id == 1); // dynamic
  CHECK(h.spaces[1].address == 0x1000000000);
  CHECK_FALSE(h.spaces[1].compressed);
  // A stub is not a whole core, so the page size is the x86-64 default.
  CHECK(h.page_size == 32768);
  CHECK(h.page_size_source.rfind("assumed", 0) == 0);

  SbclFile zstd = identify(fixture("sbcl/zstd.stub.core"));
  for (const SpaceEntry &space : zstd.header->spaces)
    CHECK(space.compressed);

  std::optional<SbclFile> exe = identify(fixture("sbcl/exe.stub"));
  CHECK(exe->kind == FileKind::Executable);
  CHECK(exe->header->location.core_start == 32768);
  CHECK(exe->build_id == plain->build_id);
  CHECK_FALSE(exe->header->runtime_options);

  // Saved by scripts/make-fixtures-sbcl with
  // `sbcl --dynamic-space-size 600MB --control-stack-size 3MB` and :save-runtime-options.
  SbclFile options = identify(fixture("sbcl/opts-exe.stub"));
  CHECK(options.kind == FileKind::Executable);
  REQUIRE(options.header->runtime_options);
  CHECK(options.header->runtime_options->dynamic_space_size == 600u << 20);
  CHECK(options.header->runtime_options->thread_control_stack_size == 3u << 20);
  CHECK_FALSE(options.header->runtime_options->accept_runtime_options);
  CHECK(options.build_id == plain->build_id);
}

TEST_CASE("sbcl: the newer BUILD_ID layouts (gc_id, card bits, NIL before the string)", "[sbcl]") {
  // The 2.2.9 header rewritten to the 2.5.3+ layout as the research notes
  // record it for 2.6.7: [3860, 10, gc_id 1, nbits 0x14, NIL, 27, 4 words].
  TempDir dir;
  std::string bytes = read_file(fixture("sbcl/plain.stub.core"));
  std::string rest = bytes.substr(9 * 8, 32768 - 9 * 8); // entries after BUILD_ID
  std::string id = "vm-root-2026-11-21-15-42-14";
  std::string entry(10 * 8, '\xff');
  put_word(entry, 0, 3860);
  put_word(entry, 1, 10);
  put_word(entry, 2, 1);
  put_word(entry, 3, 0x14);
  put_word(entry, 4, 0x5200000fff97);
  put_word(entry, 5, id.size());
  entry.replace(6 * 8, id.size(), id);
  std::string rewritten = bytes.substr(0, 8) + entry + rest;
  rewritten.resize(32768);
  rewritten += bytes.substr(32768); // the trailer
  write_file(dir.path() + "/new.core", rewritten);

  std::optional<SbclFile> file = identify(dir.path() + "/new.core");
  CHECK(file->build_id == id);
  CHECK(file->header->gc_id == 1u);
  CHECK(file->header->build_id_layout == "gc_id, card_table_nbits, NIL, strlen, bytes (2.5.3 on)");
  CHECK(file->header->spaces.size() == 5);
  CHECK(abitag_sbcl({dir.path() + "/new.core"}).out == id + "\n");
}

TEST_CASE("sbcl: bad input gives one line naming the file and the reason, exit 3", "[sbcl]") {
  const std::map<std::string, std::string> reasons = {
      {"wrong-magic.core", "wrong magic"},
      {"truncated-header.core", "truncated header"},
      {"entry-past-page.core", "runs past the header page"},
      {"trailer-past-end.bin", "past the end of the file"},
      {"not-a-core.txt", "not an SBCL core"},
  };
  for (const auto &[name, reason] : reasons) {
    INFO(name);
    std::string path = fixture("sbcl/bad/" + name);
    Run r = abitag_sbcl({path});
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    REQUIRE(lines(r.err).size() == 1);
    CHECK(r.err.rfind("abitag: " + path + ": ", 0) == 0);
    CHECK(r.err.find(reason) != std::string::npos);
  }
  // A stub is a core cut after its header: its spaces lie outside the file,
  // which is an error as soon as they are needed (--json, --check).
  std::string stub = fixture("sbcl/so.stub.core");
  Run json = abitag_sbcl({"--json", stub});
  CHECK(json.exit_code == 3);
  CHECK(json.out.empty());
  CHECK(json.err.rfind("abitag: " + stub + ": directory entry outside the file", 0) == 0);
  CHECK(abitag_sbcl({"--check", "--runtime", stub, stub}).exit_code == 3);
  Run missing = abitag_sbcl({"/nonexistent/x.core"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err == "abitag: /nonexistent/x.core: No such file or directory\n");
}

TEST_CASE("sbcl: every byte of the header page cut away still gives a clean error", "[sbcl]") {
  // A core cut at any length up to its header: never a crash, never a value.
  TempDir dir;
  std::string bytes = read_file(fixture("sbcl/plain.stub.core"));
  std::string path = dir.path() + "/cut.core";
  for (std::size_t length : {0, 1, 7, 8, 15, 16, 24, 40, 71, 72, 100, 300, 360, 368}) {
    INFO(length);
    write_file(path, bytes.substr(0, length));
    Run r = abitag_sbcl({path});
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(lines(r.err).size() == 1);
  }
}

TEST_CASE("sbcl: any header word set to any extreme value gives a value or an error, never a crash", "[sbcl]") {
  // Every word up to END in the real header, and the trailer's words, each
  // set in turn to values that make lengths, pages and offsets overflow.
  TempDir dir;
  std::string bytes = read_file(fixture("sbcl/so.stub.core"));
  std::string path = dir.path() + "/mutant.core";
  const std::uint64_t values[] = {0, 1, 2, 5, 0x7F, 0xFFFF, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF};
  std::vector<std::size_t> words;
  for (std::size_t w = 0; w < 0x170 / 8; ++w)
    words.push_back(w);
  words.push_back(bytes.size() / 8 - 2); // trailer: core_start
  words.push_back(bytes.size() / 8 - 1); // trailer: magic
  std::size_t errors = 0;
  for (std::size_t word : words)
    for (std::uint64_t value : values) {
      std::string mutant = bytes;
      put_word(mutant, word, value);
      write_file(path, mutant);
      llvm::Expected<SbclFile> file = identify_file(path);
      if (!file) {
        std::string message = abitag::to_message(file.takeError());
        CHECK(message.find('\n') == std::string::npos);
        ++errors;
      }
    }
  CHECK(errors > 0);
}

TEST_CASE("sbcl: a walk reads cores by content and skips other files", "[sbcl]") {
  TempDir dir;
  fs::copy_file(fixture("sbcl/plain.stub.core"), dir.path() + "/a-core-without-suffix");
  fs::copy_file(fixture("sbcl/patched.stub.core"), dir.path() + "/b.core");
  fs::copy_file(fixture("sbcl/bad/not-a-core.txt"), dir.path() + "/notes.core");
  fs::copy_file(fixture("cxxabi/new-O2/libnew.so"), dir.path() + "/libnew.so"); // ELF, not SBCL
  // Starts with the letters of CORE_MAGIC, but not with the BUILD_ID entry every core has next.
  write_file(dir.path() + "/README", "SBCL is a Common Lisp implementation\n");
  auto expected = expected_build_ids();
  Run r = abitag_sbcl({dir.path()});
  CHECK(r.exit_code == 0);
  CHECK(r.out == expected["plain.stub.core"] + "  " + dir.path() + "/a-core-without-suffix\n" +
                     expected["patched.stub.core"] + "  " + dir.path() + "/b.core\n");
  // A folder without SBCL files is nothing to read: bad input, no value.
  Run none = abitag_sbcl({"--explain", fixture("cxxabi/new-O2")});
  CHECK(none.exit_code == 3);
  CHECK(none.out.empty());
  CHECK(none.err == "abitag: " + fixture("cxxabi/new-O2") + ": no SBCL core or runtime here\n");
}

TEST_CASE("sbcl: --field sha256 is the hash of the whole file", "[sbcl]") {
  std::string stub = fixture("sbcl/exe.stub");
  Run r = abitag_sbcl({"--field", "sha256", stub});
  CHECK(r.exit_code == 0);
  require_tool("sha256sum", "coreutils");
  Run reference = run("sha256sum", {stub});
  CHECK(r.out == reference.out.substr(0, 64) + "\n");
  CHECK(r.out.size() == 65);
  CHECK(abitag_sbcl({"--field", "md5", stub}).exit_code == 2);
  CHECK(abitag_sbcl({"--runtime", stub, stub}).exit_code == 2); // --runtime needs --check
}

// The audit's walk keeps a file as a core by its first 16 bytes: the magic in
// each word size and byte order, then the BUILD_ID entry's code.
TEST_CASE("sbcl: a plain core's first words are recognised in every word size and byte order", "[sbcl]") {
  auto word = [](std::uint64_t value, unsigned size, bool big_endian) {
    std::string out(size, '\0');
    for (unsigned i = 0; i < size; ++i)
      out[big_endian ? size - 1 - i : i] = static_cast<char>((value >> (8 * i)) & 0xFF);
    return out;
  };
  for (unsigned size : {4u, 8u})
    for (bool big_endian : {false, true})
      for (std::uint64_t code : {kBuildIdCode, kOldBuildIdCode}) {
        INFO(size << "-byte words, " << (big_endian ? "big" : "little") << " endian, code " << code);
        std::string head = word(kCoreMagic, size, big_endian) + word(code, size, big_endian);
        CHECK(starts_like_plain_core(head));
        CHECK(starts_with_core_magic(head));
        CHECK_FALSE(starts_like_plain_core(word(kCoreMagic, size, big_endian) + word(1, size, big_endian)));
        CHECK_FALSE(starts_like_plain_core(head.substr(0, head.size() - 1)));
      }
  CHECK_FALSE(starts_like_plain_core("SBCL is a Common Lisp compiler"));
  CHECK_FALSE(starts_like_plain_core("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"));
  CHECK_FALSE(starts_like_plain_core(""));
}
