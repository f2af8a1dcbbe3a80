// SPDX-License-Identifier: MIT
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

// Runs PROGRAM (looked up on PATH) with ARGS, feeding INPUT on stdin. A
// missing or hidden PROGRAM fails the test case.
Run run(const std::string &program, const std::vector<std::string> &args,
        const std::string &input = "");

// A missing tool. A tool scripts/setup installs by default (its build and
// test groups) is required: require_tool fails the test case, naming the tool
// and PACKAGE. Any other tool (ghc-pkg, from the --fixtures group) makes the
// test case skip: skip_unless_tool ends it with one passing assertion and
// records it, and the test binary then exits with kSkipExitCode, which CTest
// counts as skipped (SKIP_RETURN_CODE). ABITAG_TEST_HIDE_TOOLS (tools
// separated by commas) makes the tests see those tools as missing.
constexpr int kSkipExitCode = 77; // automake's, which CTest and ccache's suites use too
void require_tool(const std::string &program, const std::string &package);
void skip_unless_tool(const std::string &program, const std::string &package);
// Ends the test case as skipped for REASON, where what the machine refuses
// (a mount in a sandbox) is not a tool setup could install.
[[noreturn]] void skip(const std::string &reason);
const std::vector<std::string> &skipped_test_cases(); // "NAME: REASON"

// Whether PROGRAM is on PATH and not hidden; tests call the two above.
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
