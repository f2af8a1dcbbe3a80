// SPDX-License-Identifier: MIT
// Usage errors a person can act on: an unknown command or option named with
// the nearest one abitag has, an option given before the command said where
// it goes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <llvm/Support/Error.h>

namespace abitag::cli {

// The commands declared on ROOT (CLI11's get_subcommands() alone lists those parsed).
std::vector<const CLI::App *> commands_of(const CLI::App &root);

// The command of ROOT named NAME, or null.
const CLI::App *find_command(const CLI::App &root, const std::string &name);

// The candidate nearest to WORD by edit distance, or empty when none is near
// enough to be what was meant.
std::string nearest(std::string_view word, const std::vector<std::string> &candidates);

// "unknown command 'WORD'; did you mean 'NAME'?" (kExitUsage).
llvm::Error unknown_command(std::string_view word, const CLI::App &root);

// Checks the words of ARGS before the command name (abitag's own options)
// and returns the command name, or empty when there is none (CLI11 then
// prints the help or the version, or says a command is required). `--db
// PATH` there is moved behind the command name, so that `abitag --db X show`
// is `abitag show --db X`; the command then takes it or refuses it.
llvm::Expected<std::string> arrange_arguments(const CLI::App &root, std::vector<std::string> &args);

// The usage error for CLI11's ERROR, parsing ARGS for COMMAND (may be empty):
// an unknown option is named with the nearest one COMMAND has.
llvm::Error parse_error(const CLI::App &root, const std::string &command, const std::vector<std::string> &args,
                        const CLI::ParseError &error);

} // namespace abitag::cli
