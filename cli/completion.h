// SPDX-License-Identifier: MIT
// Shell completion for bash and zsh, generated from the command definitions
// themselves: `abitag completion bash|zsh` walks the CLI11 app (commands,
// their options, what each value and positional argument is).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "fingerprint/analyzer.h"

namespace abitag::cli {

// The completion script for SHELL ("bash" or "zsh") of the commands under
// ROOT. A value or positional argument completes by its type name: PATH and
// FILE as files, DIR as folders, COMMAND as a command of ROOT, ANALYZER as
// an analyzer of REGISTRY, a CLI::IsMember check as its words; others not.
std::string completion_script(const std::string &shell, const CLI::App &root, const Registry &registry);

std::unique_ptr<Command> make_completion_command(const CLI::App &root, const Registry &registry);

} // namespace abitag::cli
