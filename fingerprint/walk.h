// SPDX-License-Identifier: MIT
// Walking a folder tree: every folder read once, on all cores (with more
// threads than cores, io_threads()), never through a symbolic link, at any depth.
//
// Like find(1) -P, a walk opens each folder relative to nothing but its own
// path (opened one stretch at a time when longer than PATH_MAX, see
// open_path.h), reads the entry types getdents(2) reports (a stat only where
// the file system gives none), and opens each regular file relative to its
// folder's descriptor, so a file costs one short path lookup (a thread reads
// its files in batches through io_uring, across folders, see head_reader.h;
// the files of a large folder are shared out to threads with nothing else to
// do). A folder
// reached twice (a bind mount of its parent) is read once. Callbacks run on
// the walking threads, concurrently; the order of calls is not defined (sort
// with path_order_less).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "fingerprint/head_reader.h" // WalkedFile

namespace abitag {

struct WalkVisitor {
  // Whether to go into the folder NAME inside PARENT (DEPTH 1 is a folder
  // directly inside the top). Default: every folder.
  std::function<bool(const std::string &parent, std::string_view name, int depth)> enter;
  // Called for every regular file, with up to HEAD_SIZE first bytes. When
  // empty, files are not opened at all (a walk that looks for folders).
  std::function<void(const WalkedFile &file)> file;
  std::size_t head_size = 64;
  // A symbolic link met, never followed.
  std::function<void(const std::string &path)> link;
  // A folder or file that could not be opened or read, with the reason.
  std::function<void(const std::string &path, const std::string &reason)> error;
  // As find -xdev, du -x, rsync -x: folders on another file system than TOP
  // (mount points, told by st_dev, without triggering an automount) are not
  // entered; each is offered to `other_device`.
  bool one_file_system = false;
  std::function<void(const std::string &path)> other_device;
};

// Walks every folder below TOP (a folder's path; TOP itself is not offered
// to `enter`).
void walk_tree(const std::string &top, const WalkVisitor &visitor);

// The order of a sorted depth-first walk: component by component, so "a/x"
// comes before "a-b" (a folder's contents follow it directly).
bool path_order_less(std::string_view a, std::string_view b);

} // namespace abitag
