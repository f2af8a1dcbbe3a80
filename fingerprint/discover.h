// SPDX-License-Identifier: MIT
// Finding the input files under the paths named on the command line.
//
// Files are recognised by content, never by name, so libfoo.so.1.2.3 counts
// and a README named foo.so does not. A directory walk is sorted (the same
// tree always gives the same order), reads each regular file once even when
// hard-linked several times, and never follows a symbolic link: a link inside
// an image that points to /usr/lib/x.so must not make abitag read the build
// host's file. Only a path named on the command line is followed when it is a
// link, and then absolute targets are taken under the root directory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fingerprint/errors.h"

namespace abitag {

enum class ContentKind { Elf, Archive, ThinArchive, Other };

// Recognises ELF and ar archives (regular and GNU thin) by their magic.
ContentKind sniff_content(std::string_view head);

// How many leading bytes of each file the acceptance test sees.
inline constexpr std::size_t kHeadSize = 64;

struct InputFile {
  std::string path;      // as reported: the named path, plus the walk below it
  std::string open_path; // what is opened: links of named paths resolved
  std::uint64_t size = 0; // bytes, to schedule the largest files first
  std::uint64_t device = 0, inode = 0; // which file it is, whatever path leads to it
  std::string head; // its first kHeadSize bytes, as accept() saw them
};

struct DiscoverOptions {
  std::string root = "/";
  // Decides from a file's first bytes whether the analyzer wants it.
  std::function<bool(std::string_view head)> accept;
  // Says what accept() wants, for the error about a named file it refuses
  // ("not an ELF file or ar archive").
  std::string wanted;
  // Optional: whether a walk goes into a folder (walk.h's WalkVisitor::enter).
  std::function<bool(const std::string &parent, std::string_view name, int depth)> enter;
  // Optional: called for every regular file a walk meets, on the walking
  // threads (a progress count).
  std::function<void()> seen;
  // Optional: called on the walking thread for each file a walk keeps, as
  // soon as it is met, so work on it can start while the walk goes on (a
  // file with several hard links may be offered once for each).
  std::function<void(const InputFile &file)> kept;
  // As find -xdev: a walk does not enter folders on another file system than
  // the named folder it started from; each is offered to other_device (on
  // the walking threads) with its path as reported.
  bool one_file_system = false;
  std::function<void(const std::string &path)> other_device;
  // Whether links met in a walk are examined and reported (Discovery::links).
  // The audit reports no links: resolving thousands of them costs it time.
  bool note_links = true;
};

// A symbolic link met in a walk and not followed, with why it matters.
struct SkippedLink {
  std::string path;
  std::string what; // "dangling link to X", "link loop", "link to X outside ..."
};

struct Discovery {
  std::vector<InputFile> files;
  std::vector<SkippedLink> links;
  std::vector<InputError> errors;
  std::size_t other_files = 0; // regular files the analyzer does not read
};

Discovery discover(const std::vector<std::string> &paths, const DiscoverOptions &options);

// How an analyzer of a runtime's files starts: ROOT resolved to its real
// path (the interpreters it compares with are looked for there) and the
// files of PATHS whose first bytes ACCEPT takes. When ROOT cannot be
// resolved, `root` is empty, nothing is walked and the reason is the one
// error.
struct RootedDiscovery {
  std::string root;
  Discovery found;
};
RootedDiscovery discover_under_root(const std::vector<std::string> &paths, const std::string &root,
                                    std::function<bool(std::string_view head)> accept, std::string wanted);

// What every analyzer's --json says of the walk: "skipped_links" (each link's
// path and why it was not followed), then, by the second, "other_files" (how
// many files it did not read).
nlohmann::ordered_json skipped_links_json(const std::vector<SkippedLink> &links);
void add_discovery_json(nlohmann::ordered_json &doc, const std::vector<SkippedLink> &links,
                        std::size_t other_files);

// Calls body(i) for every file FILES[i], on all cores, the largest files
// first (so that one huge file does not run alone at the end).
void for_each_file_largest_first(const std::vector<InputFile> &files, const std::function<void(std::size_t)> &body);

// Resolves PATH (absolute, meant inside ROOT) component by component, taking
// absolute link targets under ROOT and never climbing above it. Fails on a
// missing component or more than 40 links.
llvm::Expected<std::string> resolve_under_root(const std::string &root, const std::string &path);

} // namespace abitag
