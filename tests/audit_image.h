// SPDX-License-Identifier: MIT
// System images for the audit tests: a fixture tree from
// tests/fixtures/audit/ plus this machine's C and C++ runtime, laid out as a
// merged-/usr Debian system (lib -> usr/lib, lib64 -> the multiarch folder).
// And the loader's own verdict, from `ldd -r`.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support.h"

namespace abitag::test {

// Copies tests/fixtures/audit/TREE, the runtime and the i386 loader
// (lib/ld-linux.so.2) into DIR/image; returns it.
std::string make_audit_image(const TempDir &dir, const std::string &tree);

struct LddVerdict {
  bool ran = false;                 // ldd -r exited 0 or 1 and printed something
  std::set<std::string> not_found;  // "libfoo.so.1" => not found
  // object -> its undefined symbols as NAME or NAME@VERSION
  std::map<std::string, std::set<std::string>> undefined;
  // object -> versions it requires that its library does not define
  std::map<std::string, std::set<std::string>> missing_versions;
};

// The lines of a text report from the one starting with HEADING to the next empty line.
std::vector<std::string> block(const std::string &text, const std::string &heading);

// A dpkg database at ROOT: each package (all amd64) with the file it lists.
void write_dpkg(const std::string &root, const std::vector<std::pair<std::string, std::string>> &packages);

// Runs `abitag audit ARGS...`.
Run audit(const std::vector<std::string> &args);

// Runs `ldd -r PATH` and parses what the loader reported.
LddVerdict ldd_verdict(const std::string &path);

} // namespace abitag::test
