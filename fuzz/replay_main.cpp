// SPDX-License-Identifier: MIT
// The main of the replay executables: each fuzz target's source built with
// the project's compiler (no libFuzzer), run by CTest over the seeds and the
// crashing inputs kept in tests/fixtures/fuzz/TARGET. Folders are walked.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

int replay(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot be read\n", path.c_str());
    return 1;
  }
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // libFuzzer never passes a null pointer; a one-byte buffer stands in for an empty file.
  if (bytes.empty())
    bytes.reserve(1);
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  int failures = 0;
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    if (std::filesystem::is_directory(argv[i], error)) {
      for (const auto &entry : std::filesystem::recursive_directory_iterator(argv[i]))
        if (entry.is_regular_file() && !entry.is_symlink())
          files.push_back(entry.path());
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(argv[i]);
    }
    for (const auto &file : files) {
      failures += replay(file);
      ++count;
    }
  }
  std::printf("%zu inputs replayed\n", count);
  if (count == 0) {
    std::fprintf(stderr, "no inputs to replay: a replay that replays nothing proves nothing\n");
    return 1;
  }
  return failures ? 1 : 0;
}
