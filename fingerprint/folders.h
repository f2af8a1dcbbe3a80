// SPDX-License-Identifier: MIT
// Asking the file system about host paths: what a path is after its links,
// and what a folder holds. (paths.h joins and splits paths as strings only.)
#pragma once

#include <string>
#include <vector>

namespace abitag {

// The canonical form of PATH (links resolved, realpath(3)), or empty when
// it does not exist or cannot be resolved.
std::string real_path(const std::string &path);

// The names in folder DIR, sorted, without "." and ".."; none when it cannot
// be listed.
std::vector<std::string> folder_names(const std::string &dir);

// Whether PATH is a folder (following links).
bool is_folder(const std::string &path);

} // namespace abitag
