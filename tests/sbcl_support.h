// SPDX-License-Identifier: MIT
// What the SBCL tests share: saving real images with the installed sbcl
// (tests/fixtures/sbcl/save-core.lisp), running them, small shared objects.
#pragma once

#include <string>
#include <vector>

#include "tests/support.h"

namespace abitag::test {

// Fails the test case unless sbcl and cc (scripts/setup installs both) are there.
void require_sbcl();

// The installed runtime, links resolved (`command -v sbcl`, canonical).
std::string sbcl_runtime_path();

// Saves an image into DIR/NAME with save-core.lisp; SETTINGS are its
// ABITAG_* variables, ENVIRONMENT more variables for the saving sbcl.
std::string save_image(const TempDir &dir, const std::string &name, const std::vector<std::string> &settings,
                       const std::vector<std::string> &environment = {});

// Runs the image (a core through `sbcl --core`, or an executable) with FORM.
Run run_image(const std::string &image, bool executable, const std::string &form);

// A small x86-64 shared object at PATH (folders made).
std::string make_library(const std::string &path);

std::string first_line(const std::string &text);

} // namespace abitag::test
