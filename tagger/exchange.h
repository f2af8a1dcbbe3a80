// SPDX-License-Identifier: MIT
// The store as a JSON document, for backups and for moving tags between
// machines:
//   {"format": "abitag-store", "version": 1,
//    "packages": {"ID": {"tags": {"KEY": {"value", "source", "time",
//                                         "arguments": {"options", "paths"}}},
//                        "locks": [{"dependency", "key", "value", "time"}]}}}
//
// "arguments" (what an analyzer was run on) is optional and new in schema 3;
// the format version stays 1 because a version 1 reader skips fields it does
// not know, so older abitags still import these exports (without arguments).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>
#include <nlohmann/json.hpp>

#include "tagger/store.h"

namespace abitag::tagger {

struct Snapshot {
  std::vector<Tag> tags;
  std::vector<Lock> locks;
};

// Everything in the store, or one package of it.
llvm::Expected<Snapshot> read_snapshot(Store &store, const std::optional<std::string> &package = std::nullopt);

nlohmann::ordered_json to_json(const Snapshot &snapshot);

// Parses and validates a whole document before anything is written, so an
// import either lands entirely or not at all. Errors carry no file name.
llvm::Expected<Snapshot> parse_snapshot(const std::string &text);

// Writes SNAPSHOT inside the caller's transaction; REPLACE empties the store first.
llvm::Error write_snapshot(Store &store, const Snapshot &snapshot, bool replace);

} // namespace abitag::tagger
