// SPDX-License-Identifier: MIT
#include "cli/usage.h"

#include <algorithm>

#include <llvm/ADT/StringRef.h>

#include <CLI/CLI.hpp>

#include "fingerprint/errors.h"

namespace abitag::cli {
namespace {

// Whether CLI11 takes WORD for an option name: "--name", "-n", not "-"
// (stdin) nor a negative number.
bool looks_like_option(std::string_view word) {
  if (word.size() < 2 || word[0] != '-')
    return false;
  std::size_t start = word[1] == '-' ? 2 : 1;
  if (start >= word.size())
    return false;
  char first = word[start];
  return first != '-' && first != '!' && first != ' ' && !(start == 1 && first >= '0' && first <= '9');
}

// "--name" of "--name=value"; a short option's first letter ("-x" of "-xvf").
std::string option_name(std::string_view word) {
  if (word.rfind("--", 0) == 0)
    return std::string(word.substr(0, word.find('=')));
  return std::string(word.substr(0, 2));
}

bool has_option(const CLI::App &command, const std::string &name) {
  return command.get_option_no_throw(name) != nullptr;
}

// The options of COMMAND as written on a command line: --long and -s.
std::vector<std::string> option_names(const CLI::App &command) {
  std::vector<std::string> names;
  for (const CLI::Option *option : command.get_options()) {
    for (const std::string &name : option->get_lnames())
      names.push_back("--" + name);
    for (const std::string &name : option->get_snames())
      names.push_back("-" + name);
  }
  return names;
}

std::vector<std::string> command_names(const CLI::App &root) {
  std::vector<std::string> names;
  for (const CLI::App *command : commands_of(root))
    names.push_back(command->get_name());
  return names;
}

std::string did_you_mean(const std::string &word, const std::vector<std::string> &candidates) {
  std::string near = nearest(word, candidates);
  return near.empty() ? "" : "; did you mean '" + near + "'?";
}

// An option given before the command name. Said where it goes when a
// command has it, else named with the nearest of abitag's own options.
llvm::Error misplaced_option(const CLI::App &root, const std::string &word, const std::vector<std::string> &args) {
  std::string name = option_name(word);
  for (const std::string &later : args)
    if (const CLI::App *command = find_command(root, later); command && has_option(*command, name))
      return usage_error(name + " goes after the command name: abitag " + later + " " + name);
  for (const CLI::App *command : commands_of(root))
    if (has_option(*command, name))
      return usage_error(name + " goes after the name of a command that takes it, e.g. abitag " +
                         command->get_name() + " " + name);
  return usage_error("unknown option '" + name + "'" + did_you_mean(name, option_names(root)));
}

// The first word of ARGS, after the name of COMMAND, that CLI11 takes for
// an option COMMAND does not have; empty when there is none.
std::string unknown_option(const CLI::App &command, const std::vector<std::string> &args) {
  auto start = std::find(args.begin(), args.end(), command.get_name());
  for (auto word = start == args.end() ? start : start + 1; word != args.end(); ++word) {
    if (*word == "--")
      break; // only positional words from here
    if (!looks_like_option(*word))
      continue;
    std::string name = option_name(*word);
    const CLI::Option *option = command.get_option_no_throw(name);
    if (!option)
      return name;
    bool value_follows = word->find('=') == std::string::npos && name.rfind("--", 0) == 0 &&
                         option->get_items_expected_max() > 0;
    if (value_follows && word + 1 != args.end())
      ++word;
  }
  return {};
}

} // namespace

std::vector<const CLI::App *> commands_of(const CLI::App &root) {
  return root.get_subcommands([](const CLI::App *) { return true; });
}

const CLI::App *find_command(const CLI::App &root, const std::string &name) {
  for (const CLI::App *command : commands_of(root))
    if (command->get_name() == name)
      return command;
  return nullptr;
}

std::string nearest(std::string_view word, const std::vector<std::string> &candidates) {
  // Two edits let through a swapped pair of letters ("audti"); a long word
  // may be further off and still be recognised.
  unsigned allowed = std::max<unsigned>(2, static_cast<unsigned>(word.size() / 3));
  std::string best;
  unsigned best_distance = allowed + 1;
  for (const std::string &candidate : candidates) {
    unsigned distance = llvm::StringRef(word.data(), word.size()).edit_distance(candidate, true, allowed + 1);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

llvm::Error unknown_command(std::string_view word, const CLI::App &root) {
  std::string near = nearest(word, command_names(root));
  return usage_error("unknown command '" + std::string(word) + "'" +
                     (near.empty() ? " ('abitag help' lists the commands)" : "; did you mean '" + near + "'?"));
}

llvm::Expected<std::string> arrange_arguments(const CLI::App &root, std::vector<std::string> &args) {
  std::vector<std::string> db; // --db PATH or --db=PATH, given before the command
  for (std::size_t i = 0; i < args.size();) {
    const std::string &word = args[i];
    if (word == "--db" || word.rfind("--db=", 0) == 0) {
      std::size_t words = word == "--db" ? 2 : 1;
      if (i + words > args.size())
        return usage_error("--db needs a PATH");
      db.assign(args.begin() + i, args.begin() + i + words);
      args.erase(args.begin() + i, args.begin() + i + words);
      continue;
    }
    if (!looks_like_option(word)) {
      if (!find_command(root, word))
        return unknown_command(word, root);
      args.insert(args.begin() + i + 1, db.begin(), db.end());
      return word;
    }
    if (!has_option(root, option_name(word)))
      return misplaced_option(root, word, args);
    ++i; // --help, --version: CLI11 answers them
  }
  return std::string();
}

llvm::Error parse_error(const CLI::App &root, const std::string &command, const std::vector<std::string> &args,
                        const CLI::ParseError &error) {
  const CLI::App *parsed = command.empty() ? nullptr : find_command(root, command);
  if (!parsed) {
    if (dynamic_cast<const CLI::RequiredError *>(&error))
      return usage_error("no command given ('abitag help' lists the commands)");
    return usage_error(error.what());
  }
  // An unknown option is named first: CLI11 may have stopped on what it
  // caused (a positional taken as its value, a required one then missing).
  if (std::string name = unknown_option(*parsed, args); !name.empty())
    return usage_error(command + ": unknown option '" + name + "'" + did_you_mean(name, option_names(*parsed)));
  return usage_error(command + ": " + error.what());
}

} // namespace abitag::cli
