// SPDX-License-Identifier: MIT
#include "tests/sbcl_support.h"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

namespace fs = std::filesystem;

namespace abitag::test {

void require_sbcl() {
  require_tool("sbcl", "sbcl");
  require_tool("cc", "gcc");
}

std::string sbcl_runtime_path() {
  std::string found = first_line(run("sh", {"-c", "command -v sbcl"}).out);
  return found.empty() ? found : fs::canonical(found).string();
}

namespace {
constexpr const char *kLispFlags[] = {"--noinform", "--non-interactive", "--no-sysinit", "--no-userinit"};
} // namespace

std::string save_image(const TempDir &dir, const std::string &name, const std::vector<std::string> &settings,
                       const std::vector<std::string> &environment) {
  std::string out = dir.path() + "/" + name;
  std::vector<std::string> args = {"LANG=C.UTF-8", "ABITAG_OUT=" + out};
  args.insert(args.end(), environment.begin(), environment.end());
  args.insert(args.end(), settings.begin(), settings.end());
  args.push_back("sbcl");
  args.insert(args.end(), std::begin(kLispFlags), std::end(kLispFlags));
  args.insert(args.end(), {"--load", fixture("sbcl/save-core.lisp")});
  Run r = run("env", args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(fs::exists(out));
  return out;
}

Run run_image(const std::string &image, bool executable, const std::string &form) {
  std::vector<std::string> args = {"LANG=C.UTF-8"};
  if (executable) {
    args.push_back(image);
  } else {
    args.insert(args.end(), {"sbcl", "--core", image});
  }
  args.insert(args.end(), std::begin(kLispFlags), std::end(kLispFlags));
  args.insert(args.end(), {"--eval", form});
  return run("env", args);
}

std::string make_library(const std::string &path) {
  fs::create_directories(fs::path(path).parent_path());
  std::string source = path + ".c";
  std::ofstream(source) << "int abitag_demo(void) { return 42; }\n";
  Run r = run("cc", {"-shared", "-fPIC", "-o", path, source});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  fs::remove(source);
  return path;
}

std::string first_line(const std::string &text) { return text.substr(0, text.find('\n')); }

} // namespace abitag::test
