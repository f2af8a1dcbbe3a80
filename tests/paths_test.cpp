// SPDX-License-Identifier: MIT
// Paths as strings (fingerprint/paths): joining, parents, and a host path
// seen from inside a root, as the audit and the tagger report them.
#include <catch2/catch.hpp>

#include "fingerprint/paths.h"

using abitag::join_path;
using abitag::parent_dir;
using abitag::path_inside_root;

TEST_CASE("paths: a host path is shown as it is seen inside the root", "[paths]") {
  CHECK(path_inside_root("/img", "/img/usr/lib/libx.so") == "/usr/lib/libx.so");
  CHECK(path_inside_root("/img", "/img") == "/");
  CHECK(path_inside_root("/", "/usr/lib/libx.so") == "/usr/lib/libx.so");
  // A sibling sharing the root's name as a prefix is not inside it.
  CHECK(path_inside_root("/img", "/img2/usr/lib/libx.so") == "/img2/usr/lib/libx.so");
  CHECK(path_inside_root("/img", "/other/libx.so") == "/other/libx.so");
  CHECK(path_inside_root("/img", "/im") == "/im");
}

TEST_CASE("paths: joining and parents", "[paths]") {
  CHECK(join_path("/usr/lib", "x") == "/usr/lib/x");
  CHECK(join_path("/", "x") == "/x");
  CHECK(join_path("", "x") == "x");
  CHECK(parent_dir("/usr/lib/x") == "/usr/lib");
  CHECK(parent_dir("/x") == "/");
  CHECK(parent_dir("x") == ".");
}
