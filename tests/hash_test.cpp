// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <fstream>

#include "fingerprint/errors.h"
#include "fingerprint/hash.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::test;

TEST_CASE("digests match the published test vectors", "[hash]") {
  // FIPS 180 examples.
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST_CASE("incremental digest equals one-shot digest", "[hash]") {
  Digest digest(DigestKind::Sha256);
  digest.update("ab");
  digest.update("");
  digest.update("c");
  CHECK(digest.hex_digest() == sha256_hex("abc"));
}

TEST_CASE("file digests equal sha1sum and sha256sum", "[hash]") {
  TempDir dir;
  std::string path = dir.path() + "/data";
  {
    std::ofstream out(path, std::ios::binary);
    for (unsigned i = 0; i < 3000000; ++i) // several of the reader's 1 MiB blocks
      out.put(static_cast<char>(i % 251));
  }
  for (auto [kind, tool] : {std::pair{DigestKind::Sha1, "sha1sum"}, {DigestKind::Sha256, "sha256sum"}}) {
    require_tool(tool, "coreutils");
    auto ours = file_digest_hex(path, kind);
    REQUIRE(bool(ours));
    Run reference = run(tool, {path});
    REQUIRE(reference.exit_code == 0);
    CHECK(reference.out.substr(0, reference.out.find(' ')) == *ours);
  }
}

TEST_CASE("a missing file is an error, not a digest", "[hash]") {
  auto digest = file_digest_hex("/nonexistent/abitag", DigestKind::Sha256);
  REQUIRE_FALSE(bool(digest));
  CHECK(to_message(digest.takeError()) == "No such file or directory");
}
