// SPDX-License-Identifier: MIT
// Loading files for one step of a reader (fingerprint/mapped_file.h): a small
// file copied into the caller's buffer, a large one mapped, the same bytes
// either way, and the same errors as map_file.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"
#include "tests/support.h"

using namespace abitag;
using namespace abitag::test;

namespace {
using Loaded = llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>;

const llvm::MemoryBuffer &buffer_of(Loaded &loaded) {
  if (!loaded)
    FAIL(to_message(loaded.takeError()));
  return **loaded;
}

bool inside(const llvm::MemoryBuffer &buffer, const std::vector<char> &scratch) {
  return buffer.getBufferStart() >= scratch.data() && buffer.getBufferEnd() <= scratch.data() + scratch.size();
}
} // namespace

TEST_CASE("load_file copies a small file into the scratch buffer and maps a large one", "[mapped_file]") {
  TempDir dir;
  std::string small = dir.path() + "/small", large = dir.path() + "/large", exact = dir.path() + "/exact";
  std::string small_bytes = read_file(fixture("cxxabi/exe/app"));
  REQUIRE(small_bytes.size() <= kCopiedAtMost);
  write_file(small, small_bytes);
  std::string large_bytes(kCopiedAtMost + 1, '\0');
  for (std::size_t i = 0; i < large_bytes.size(); ++i)
    large_bytes[i] = static_cast<char>(i * 7 + i / 4096);
  write_file(large, large_bytes);
  write_file(exact, large_bytes.substr(0, kCopiedAtMost));

  std::vector<char> scratch;
  Loaded first = load_file(small, Reading::InParts, scratch);
  CHECK(buffer_of(first).getBuffer() == small_bytes);
  CHECK(buffer_of(first).getBufferIdentifier() == small);
  CHECK(inside(buffer_of(first), scratch));

  Loaded at_limit = load_file(exact, Reading::InParts, scratch);
  CHECK(buffer_of(at_limit).getBuffer() == large_bytes.substr(0, kCopiedAtMost));
  CHECK(inside(buffer_of(at_limit), scratch)); // the same buffer, used again

  Loaded mapped = load_file(large, Reading::InParts, scratch);
  CHECK(buffer_of(mapped).getBuffer() == large_bytes);
  CHECK_FALSE(inside(buffer_of(mapped), scratch));
  CHECK(buffer_of(mapped).getBufferKind() == llvm::MemoryBuffer::MemoryBuffer_MMap);
}

TEST_CASE("load_file refuses what map_file refuses, with the same reasons", "[mapped_file]") {
  TempDir dir;
  std::string file = dir.path() + "/file", link = dir.path() + "/link";
  write_file(file, "bytes");
  REQUIRE(::symlink(file.c_str(), link.c_str()) == 0);
  std::vector<char> scratch;
  for (const std::string &path : {dir.path() + "/missing", dir.path(), link}) {
    INFO(path);
    Loaded loaded = load_file(path, Reading::Whole, scratch);
    Loaded mapped = map_file(path, Reading::Whole);
    REQUIRE_FALSE(static_cast<bool>(loaded));
    REQUIRE_FALSE(static_cast<bool>(mapped));
    std::string reason = to_message(mapped.takeError());
    CHECK(to_message(loaded.takeError()) == reason);
    CHECK_FALSE(reason.empty());
  }
  write_file(file, "");
  Loaded empty = load_file(file, Reading::Whole, scratch);
  CHECK(buffer_of(empty).getBufferSize() == 0);
}
