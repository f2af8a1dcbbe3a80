// SPDX-License-Identifier: MIT
#include "tests/support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include <utility> // Boost 1.74 asio uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/process.hpp>

#include <catch2/catch.hpp>

namespace bp = boost::process;

namespace abitag::test {

std::string fixture(const std::string &relative) { return std::string(ABITAG_FIXTURES) + "/" + relative; }

std::string abitag_binary() { return ABITAG_BINARY; }

namespace {

bool hidden(const std::string &program) {
  const char *list = std::getenv("ABITAG_TEST_HIDE_TOOLS");
  std::istringstream names(list ? list : "");
  for (std::string name; std::getline(names, name, ',');)
    if (name == program)
      return true;
  return false;
}

std::vector<std::string> skips;

} // namespace

bool have_tool(const std::string &program) { return !hidden(program) && !bp::search_path(program).empty(); }

void require_tool(const std::string &program, const std::string &package) {
  if (!have_tool(program))
    FAIL(program << " is not installed: install package " << package << " (scripts/setup installs it)");
}

void skip_unless_tool(const std::string &program, const std::string &package) {
  if (have_tool(program))
    return;
  skip(program + " is not installed (package " + package + "; scripts/setup --all installs it)");
}

void skip(const std::string &reason) {
  skips.push_back(Catch::getResultCapture().getCurrentTestName() + ": " + reason);
  WARN("skipped: " << reason);
  // Catch2 v2 has no skip: the one passing assertion keeps -w NoAssertions
  // quiet, and the exception a failed REQUIRE throws ends the test case
  // without a failure. main() turns the recorded skip into kSkipExitCode.
  SUCCEED("skipped");
  throw Catch::TestFailureException();
}

const std::vector<std::string> &skipped_test_cases() { return skips; }

Run run(const std::string &program, const std::vector<std::string> &args, const std::string &input) {
  if (program.find('/') == std::string::npos && !have_tool(program))
    FAIL(program << " is not on PATH: the test must call require_tool or skip_unless_tool for it first");
  boost::filesystem::path exe = program.find('/') == std::string::npos ? bp::search_path(program)
                                                                       : boost::filesystem::path(program);
  boost::asio::io_context io;
  std::future<std::string> out, err;
  bp::child child(exe, bp::args(args), bp::std_in < boost::asio::buffer(input), bp::std_out > out,
                  bp::std_err > err, io);
  io.run();
  child.wait();
  return {child.exit_code(), out.get(), err.get()};
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "abitag-test-XXXXXX").string();
  path_ = ::mkdtemp(pattern.data());
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ignored);
  std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

} // namespace abitag::test
