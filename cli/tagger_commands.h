// The tagger's subcommands (set, tag, lock, show, forget, export, import,
// check): their options and their printing. The work is in tagger/.
#pragma once

#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

namespace abitag::cli {

class TaggerCommands;

struct TaggerCommandsDeleter {
  void operator()(TaggerCommands *commands) const;
};
using TaggerCommandsPtr = std::unique_ptr<TaggerCommands, TaggerCommandsDeleter>;

// Declares the subcommands on APP; their options live in the returned object.
TaggerCommandsPtr add_tagger_commands(CLI::App &app);

// After parsing: runs the tagger subcommand that was given and returns its
// exit code, or none when the command line named another subcommand.
std::optional<int> run_tagger_command(TaggerCommands &commands);

} // namespace abitag::cli
