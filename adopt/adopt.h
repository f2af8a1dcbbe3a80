// SPDX-License-Identifier: MIT
// Adopting a system that was never tagged: every installed package's tags
// computed from its files by the analyzers that read them, and the locks its
// files show it was built against, read from the package databases and the
// audit's model of the dynamic loader, with no package edited.
//
// Store ids (what `abitag show`, `check` and the hooks name a package by):
// dpkg: the name as dpkg prints it ("libfoo1", "libc6:amd64" for a
// Multi-Arch: same or foreign-architecture package); pacman: the name; rpm:
// NAME.ARCH; VDB and exndbam: CATEGORY/PN:SLOT (no sub-slot).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>
#include <nlohmann/json.hpp>

#include "fingerprint/errors.h"
#include "packages/database.h"
#include "tagger/store.h"

namespace abitag::adopt {

// The store id of a package (see above).
std::string store_id(const packages::PackageId &id);

struct AdoptOptions {
  std::string root = "/";
  // Store ids or names in the manager's terms; empty: every installed package.
  std::vector<std::string> packages;
  bool progress = false;
};

// A file an analyzer reads but makes no tag of, and why (GHC's rts.conf,
// which has no ABI hash).
struct LeftOut {
  std::string path; // inside the root
  std::string analyzer;
  std::string reason;
};

// What one run would record.
struct Plan {
  std::vector<tagger::Tag> tags;
  std::vector<tagger::Lock> locks;
  // Packages adopted, by store id: the named ones, and the providers of
  // their libraries that the store did not know yet.
  std::set<std::string> adopted;
  // Packages named with --package: their own locks are recorded anew (they
  // were just built); any other package's recorded locks are kept.
  std::set<std::string> named;
  // Every installed package, by store id: a lock on any other is dropped.
  std::set<std::string> installed;
  // Packages skipped (files gone or unreadable, a damaged database entry),
  // and names that match no installed package.
  std::vector<InputError> problems;
  // Files left out, per package (by store id): said with --verbose and in
  // the --json summary.
  std::map<std::string, std::vector<LeftOut>> left_out;
};

// "PKG: PATH: left out by ANALYZER: REASON", one line each.
std::string left_out_text(const Plan &plan);

// The tags adopting the package of store id ID would record if its files
// were FILES (each its path inside ROOT and where abitag opens it): every
// analyzer's that reads some of them, and the sonames tag. `preview` compares
// an image's files, not yet merged, with the package they replace so.
// Fails naming the first file or analyzer that cannot be read.
llvm::Expected<std::vector<tagger::Tag>>
tags_of_files(const std::string &root, const std::string &id,
              const std::vector<std::pair<std::string, std::string>> &files);

// Reads the databases and the packages' files under ROOT and works out what
// to record; STORE (read in a transaction the caller holds) gives the tags of
// packages outside the run.
llvm::Expected<Plan> plan(const AdoptOptions &options, tagger::Store &store);

// What of PLAN differs from STORE: the tags and locks to write (a tag whose
// value, source and arguments are recorded already is not written again, nor
// is a lock of a package not named that holds one on the same key), and the
// recorded locks of the packages adopted that are no longer true: on a
// package no longer installed, or, for a package named (just built), one
// adopting derives that its files no longer show.
// A recorded lock adopting drops, and why.
struct DroppedLock {
  tagger::Lock lock;
  std::string reason;
};
struct Changes {
  std::vector<tagger::Tag> tags;
  std::vector<tagger::Lock> locks;
  std::vector<DroppedLock> dropped;
  std::size_t unchanged_tags = 0, kept_locks = 0;
};
llvm::Expected<Changes> changes(const Plan &plan, tagger::Store &store);

// Writes CHANGES (inside the caller's write transaction).
llvm::Error record(const Changes &changes, tagger::Store &store);

nlohmann::ordered_json to_json(const Plan &plan, const Changes &changes, bool dry_run);
// One line per tag, lock and dropped lock: "tag PKG KEY VALUE",
// "lock PKG DEP KEY VALUE", "drop PKG DEP KEY VALUE: REASON".
std::string to_text(const Changes &changes);
// The "drop" lines alone: a run that records says what it dropped.
std::string dropped_text(const Changes &changes);

} // namespace abitag::adopt
