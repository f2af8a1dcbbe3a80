// SPDX-License-Identifier: MIT
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>

#include "tests/support.h"

// Exits 0 when every test case run passed, 1 when one failed, and
// kSkipExitCode when none failed and one skipped (skip_unless_tool): CTest
// runs one test case at a time and counts that code as a skip.
int main(int argc, char **argv) {
  Catch::Session session;
  if (int error = session.applyCommandLine(argc, argv))
    return error;
  // Always: a test spec that matches no test case fails. CTest cuts a test's
  // name at ';', and such a case would otherwise never run and still pass.
  // (Catch2 v2 takes only one -w on the command line: CTest passes
  // -w NoAssertions.)
  Catch::ConfigData &settings = session.configData();
  settings.warnings = static_cast<Catch::WarnAbout::What>(settings.warnings | Catch::WarnAbout::NoTests);
  int result = session.run();
  const Catch::ConfigData &config = session.configData();
  if (config.listTests || config.listTestNamesOnly || config.listTags || config.listReporters)
    return result; // the number listed, which catch_discover_tests reads
  const std::vector<std::string> &skipped = abitag::test::skipped_test_cases();
  for (const std::string &skip : skipped)
    std::cerr << "skipped: " << skip << "\n";
  if (result != 0)
    return 1;
  return skipped.empty() ? 0 : abitag::test::kSkipExitCode;
}
