// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <bitset>
#include <cstdlib>
#include <random>
#include <set>
#include <unordered_map>

#include "elf/symbol_reader.h"
#include "fingerprint/name_hash.h"
#include "tests/support.h"

using namespace abitag;

// The hash reads its input in 16-byte steps and a partial last step of
// overlapping words: a byte that one of those reads missed would leave
// the hash unchanged when only that byte differs.
TEST_CASE("name_hash: every byte of every length counts, and so does the length", "[name-hash]") {
  std::mt19937_64 random(42);
  for (std::size_t length = 0; length <= 80; ++length) {
    std::string text(length, '\0');
    for (char &c : text)
      c = static_cast<char>('!' + random() % 90);
    std::uint64_t base = name_hash(text);
    for (std::size_t at = 0; at < length; ++at)
      for (int bit = 0; bit < 8; ++bit) {
        std::string changed = text;
        changed[at] = static_cast<char>(changed[at] ^ (1 << bit));
        INFO("length " << length << ", byte " << at << ", bit " << bit);
        CHECK(name_hash(changed) != base);
      }
    CHECK(name_hash(text + '\0') != base); // same words, one byte longer
    CHECK(name_hash(text) == base);        // and the same text the same hash
  }
}

// A table keyed by the hash alone trusts it not to collide: flipping one input
// bit must flip about half of the output bits, for short and long names.
TEST_CASE("name_hash: one input bit changes half of the output bits", "[name-hash]") {
  std::mt19937_64 random(7);
  for (std::size_t length : {1, 3, 7, 8, 15, 16, 17, 31, 50, 120}) {
    double flipped = 0;
    int trials = 0;
    for (int round = 0; round < 200; ++round) {
      std::string text(length, '\0');
      for (char &c : text)
        c = static_cast<char>(random());
      std::size_t at = random() % length;
      std::string changed = text;
      changed[at] = static_cast<char>(changed[at] ^ (1 << (random() % 8)));
      flipped += std::bitset<64>(name_hash(text) ^ name_hash(changed)).count();
      ++trials;
    }
    INFO("length " << length);
    CHECK(flipped / trials > 30.0);
    CHECK(flipped / trials < 34.0);
  }
}

// Real names are long, alike and share prefixes: the dynamic symbols of
// libLLVM and libstdc++ (about 100,000 distinct names) never collide.
TEST_CASE("name_hash: the dynamic symbol names of large libraries do not collide", "[name-hash]") {
  std::unordered_map<std::uint64_t, std::string> seen;
  std::size_t names = 0;
  for (const char *library : {"/usr/lib/llvm-14/lib/libLLVM-14.so", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                              "/usr/lib/x86_64-linux-gnu/libc.so.6"}) {
    char *real = ::realpath(library, nullptr); // the reader does not follow links
    if (!real)
      continue;
    auto file = elf::read_symbol_file(real);
    std::free(real);
    REQUIRE(bool(file));
    for (const elf::ObjectSymbols &object : file->objects)
      for (const elf::Symbol &symbol : object.symbols) {
        std::string name = symbol.name.str();
        auto [it, fresh] = seen.emplace(name_hash(name), name);
        names += fresh;
        INFO(name << " and " << it->second);
        CHECK((fresh || it->second == name));
      }
  }
  CHECK(names > 1000);
}
