// SPDX-License-Identifier: MIT
// Every command of abitag, registered on the root CLI::App and run the same
// way: abitag's own (analyzers, help, completion), each analyzer through one
// adapter, the commands analyzers bring, the tag store's and the audit.
#pragma once

#include <memory>
#include <vector>

#include <CLI/CLI.hpp>

#include "fingerprint/analyzer.h"

namespace abitag::cli {

struct CommandTable {
  std::vector<std::unique_ptr<Command>> owned; // those not kept by the registry
  // In the order help lists them, each with its subcommand of the root.
  std::vector<std::pair<Command *, CLI::App *>> commands;
};

// Creates the commands and declares each as a subcommand of ROOT, with
// FOOTER (the exit codes) under its help.
CommandTable add_commands(CLI::App &root, const Registry &registry, const std::string &footer);

} // namespace abitag::cli
