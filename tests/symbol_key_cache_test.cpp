// SPDX-License-Identifier: MIT
// The symbol keys the linkage check uses, kept within a memory budget:
// what is kept is used without reading the file again, what is not is read
// again with the same result, and the keys that make room are the ones
// fewer checks still need.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sys/stat.h>

#include "audit/elf_facts.h"
#include "audit/symbol_key_cache.h"
#include "fingerprint/errors.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::test;

namespace {

struct Library {
  std::string path;
  audit::FileId id;
  audit::SymbolKeys keys; // as the scan reads them
};

Library library(const std::string &relative) {
  Library out;
  out.path = fixture(relative);
  struct stat st;
  REQUIRE(::stat(out.path.c_str(), &st) == 0);
  out.id = {st.st_dev, st.st_ino};
  auto facts = audit::read_elf_facts(out.path, /*census=*/false);
  REQUIRE(static_cast<bool>(facts));
  out.keys = std::move(facts->keys);
  REQUIRE_FALSE(out.keys.imports.empty());
  return out;
}

// The same imports, and every one of them answered alike by both export tables.
void check_same(const audit::SymbolKeys &a, const audit::SymbolKeys &b) {
  REQUIRE(a.imports.size() == b.imports.size());
  for (std::size_t i = 0; i < a.imports.size(); ++i) {
    CHECK(a.imports[i].key == b.imports[i].key);
    CHECK(a.imports[i].symbol == b.imports[i].symbol);
    CHECK(a.exports.contains(a.imports[i].key) == b.exports.contains(a.imports[i].key));
  }
  CHECK(a.bytes() == b.bytes());
}

} // namespace

TEST_CASE("symbol keys within the budget are kept: no file is read again", "[audit]") {
  Library shape = library("audit/broken/usr/lib/libshape.so.1");
  audit::SymbolKeys copy{shape.keys}; // the cache takes the scan's keys
  audit::SymbolKeyCache cache;
  cache.keep(shape.id, std::move(copy));
  auto keys = cache.of(shape.id, "/nonexistent: not read");
  REQUIRE(static_cast<bool>(keys));
  check_same(**keys, shape.keys);
  CHECK(cache.rereads() == 0);
  CHECK(cache.kept_all());
  CHECK(cache.kept_bytes() == shape.keys.bytes());
}

TEST_CASE("symbol keys past the budget are read again, the same as the scan read them", "[audit]") {
  Library shape = library("audit/broken/usr/lib/libshape.so.1");
  audit::SymbolKeyCache cache(0);
  cache.keep(shape.id, audit::SymbolKeys{shape.keys});
  CHECK_FALSE(cache.kept_all());
  CHECK(cache.kept_bytes() == 0);
  for (int i = 1; i <= 2; ++i) { // nothing fits: read at every use
    auto keys = cache.of(shape.id, shape.path);
    REQUIRE(static_cast<bool>(keys));
    check_same(**keys, shape.keys);
    CHECK(cache.rereads() == static_cast<std::size_t>(i));
  }
  // A file that is gone by then: the error names why.
  auto gone = cache.of({0, 0}, "/nonexistent/libgone.so.1");
  REQUIRE_FALSE(static_cast<bool>(gone));
  CHECK(to_message(gone.takeError()).find("No such file") != std::string::npos);
}

TEST_CASE("symbol keys read again push out those fewer checks still need", "[audit]") {
  Library shape = library("audit/broken/usr/lib/libshape.so.1");
  Library program = library("audit/broken/usr/bin/shapes");
  // Room for either one, not both.
  audit::SymbolKeyCache cache(std::max(shape.keys.bytes(), program.keys.bytes()));
  cache.keep(shape.id, audit::SymbolKeys{shape.keys});
  cache.keep(program.id, audit::SymbolKeys{program.keys}); // the scan's keys push out none
  REQUIRE(cache.kept_bytes() == shape.keys.bytes());

  SECTION("a library many files load stays; a file checked once is read at each use") {
    cache.expect(shape.id, 5);
    cache.expect(program.id, 2);
    for (int i = 0; i < 2; ++i) {
      REQUIRE(static_cast<bool>(cache.of(shape.id, shape.path)));
      REQUIRE(static_cast<bool>(cache.of(program.id, program.path)));
    }
    CHECK(cache.rereads() == 2); // the program twice: it never ranked above the library
    CHECK(cache.kept_bytes() == shape.keys.bytes());
  }
  SECTION("keys whose uses are all made give way") {
    cache.expect(shape.id, 3);
    cache.expect(program.id, 2);
    for (int i = 0; i < 2; ++i)
      REQUIRE(static_cast<bool>(cache.of(shape.id, shape.path)));
    auto held = cache.of(shape.id, shape.path); // its last use
    REQUIRE(static_cast<bool>(held));
    REQUIRE(static_cast<bool>(cache.of(program.id, program.path))); // read again, and kept in its place
    REQUIRE(static_cast<bool>(cache.of(program.id, program.path)));
    CHECK(cache.rereads() == 1);
    CHECK(cache.kept_bytes() == program.keys.bytes());
    check_same(**held, shape.keys); // keys held stay valid when pushed out
  }
}

// The table the keys live in: every key put in is found, by insert or by
// insert_all (which asks for slots ahead), and no other key is.
TEST_CASE("a key set holds exactly the keys put in it, one at a time or all at once", "[audit]") {
  std::vector<std::uint64_t> in, out;
  std::uint64_t x = 0x243f6a8885a308d3ULL;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17; // xorshift: spread over all bits
    (i % 2 ? out : in).push_back(i % 1000 == 0 ? x & 0xff : x); // some share their low bits
  }
  in.push_back(0); // the empty slot's marker is a key too
  audit::KeySet one_by_one(in.size()), all_at_once(in.size());
  for (std::uint64_t key : in)
    one_by_one.insert(key);
  all_at_once.insert_all(in);
  for (const audit::KeySet *set : {&one_by_one, &all_at_once}) {
    CHECK(std::all_of(in.begin(), in.end(), [&](std::uint64_t key) { return set->contains(key); }));
    CHECK(std::none_of(out.begin(), out.end(), [&](std::uint64_t key) { return set->contains(key); }));
  }
  CHECK_FALSE(audit::KeySet().contains(1));
}
