#include "tests/support.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include <utility> // Boost 1.74 asio uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/process.hpp>

namespace bp = boost::process;

namespace abitag::test {

std::string fixture(const std::string &relative) { return std::string(ABITAG_FIXTURES) + "/" + relative; }

std::string abitag_binary() { return ABITAG_BINARY; }

bool have_tool(const std::string &program) { return !bp::search_path(program).empty(); }

Run run(const std::string &program, const std::vector<std::string> &args, const std::string &input) {
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
