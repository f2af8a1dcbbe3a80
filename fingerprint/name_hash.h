// SPDX-License-Identifier: MIT
// A fast 64-bit hash of short strings (symbol names, paths), for tables that
// live in one process: never stored, so it may change between versions.
// The audit hashes every dynamic symbol name under ROOT, 1.6 million of them
// for /usr: with LLVM's xxHash64 (four lanes and a long finish, made for long
// inputs; names average 50 bytes) hashing showed in the audit's profile;
// this hash, made for short names, costs less of the audit's user time.
//
// Sixteen bytes per step: both halves are mixed by one 64x64->128-bit
// multiply, folding its high half into its low half, so every input bit
// reaches every output bit within two steps. The length is mixed in first;
// the last, partial step reads overlapping words instead of a byte loop.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace abitag {

namespace name_hash_detail {

constexpr std::uint64_t kOdd1 = 0x9e3779b97f4a7c15ULL; // 2^64 / golden ratio
constexpr std::uint64_t kOdd2 = 0xd6e8feb86659fd93ULL;
constexpr std::uint64_t kOdd3 = 0xc2b2ae3d27d4eb4fULL;

inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) {
  unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

inline std::uint64_t load64(const char *p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline std::uint64_t load32(const char *p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

} // namespace name_hash_detail

inline std::uint64_t name_hash(std::string_view text) {
  using namespace name_hash_detail;
  const char *p = text.data();
  std::size_t n = text.size();
  std::uint64_t h = fold_multiply(n ^ kOdd1, kOdd2);
  for (; n > 16; p += 16, n -= 16)
    h = fold_multiply(load64(p) ^ h ^ kOdd1, load64(p + 8) ^ kOdd2);
  std::uint64_t a = 0, b = 0; // the last 1 to 16 bytes
  if (n >= 8) {
    a = load64(p);
    b = load64(p + n - 8);
  } else if (n >= 4) {
    a = load32(p);
    b = load32(p + n - 4);
  } else if (n > 0) {
    a = static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16 |
        static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
        static_cast<unsigned char>(p[n - 1]);
  }
  h = fold_multiply(a ^ h ^ kOdd1, b ^ kOdd2);
  return fold_multiply(h ^ kOdd3, h ^ kOdd2) ^ h;
}

} // namespace abitag
