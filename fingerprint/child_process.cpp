// SPDX-License-Identifier: MIT
#include "fingerprint/child_process.h"

#include <iterator>

#include <boost/process.hpp>

#include "fingerprint/errors.h"

namespace bp = boost::process;

namespace abitag {

llvm::Expected<std::string> capture_output(const std::string &program,
                                           const std::vector<std::string> &args) {
  boost::filesystem::path executable = program;
  if (program.find('/') == std::string::npos) {
    executable = bp::search_path(program);
    if (executable.empty())
      return make_error("'" + program + "' not found on PATH");
  }
  try {
    bp::ipstream output;
    bp::child child(executable, bp::args(args), bp::std_out > output,
                    bp::std_err > bp::null, bp::std_in < bp::null);
    std::string text{std::istreambuf_iterator<char>(output), std::istreambuf_iterator<char>()};
    child.wait();
    if (child.exit_code() != 0)
      return make_error("'" + program + "' exited with status " +
                        std::to_string(child.exit_code()));
    return text;
  } catch (const bp::process_error &e) {
    return make_error("cannot run '" + program + "': " + e.what());
  }
}

} // namespace abitag
