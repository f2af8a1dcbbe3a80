// What the tests share: where the fixtures and the abitag binary are, and
// running real tools (nm, c++filt, gcc, abitag itself) without a shell.
#pragma once

#include <string>
#include <vector>

namespace abitag::test {

std::string fixture(const std::string &relative); // tests/fixtures/RELATIVE
std::string abitag_binary();

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs PROGRAM (looked up on PATH) with ARGS, feeding INPUT on stdin.
Run run(const std::string &program, const std::vector<std::string> &args,
        const std::string &input = "");

// Whether PROGRAM is on PATH; tests that compare with it are skipped otherwise.
bool have_tool(const std::string &program);

// A fresh temporary directory, removed when the object goes.
class TempDir {
public:
  TempDir();
  ~TempDir();
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

std::vector<std::string> lines(const std::string &text);

// A whole (small, test-made) file as bytes, and back.
std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::string &bytes);

} // namespace abitag::test
