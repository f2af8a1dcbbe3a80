// SPDX-License-Identifier: MIT
#include "cli/commands.h"

#include <CLI/CLI.hpp>

#include "cli/adopt_command.h"
#include "cli/analyzer_command.h"
#include "cli/audit_command.h"
#include "cli/completion.h"
#include "cli/package_commands.h"
#include "cli/preview_command.h"
#include "cli/tagger_commands.h"
#include "cli/usage.h"
#include "fingerprint/output.h"
#include "fingerprint/row_field.h"

namespace abitag::cli {
namespace {

class AnalyzersCommand final : public Command {
public:
  explicit AnalyzersCommand(const Registry &registry) : registry_(registry) {}
  std::string_view name() const override { return "analyzers"; }
  std::string_view description() const override { return "list the analyzers"; }
  void add_options(CLI::App &) override {}

  llvm::Expected<int> run() override {
    for (const AnalyzerFactory &factory : registry_.analyzers()) {
      std::unique_ptr<Analyzer> analyzer = factory();
      write_stdout(row_field(analyzer->name()) + "\t" + row_field(analyzer->description()) + "\n");
    }
    return kExitOk;
  }

private:
  const Registry &registry_;
};

class HelpCommand final : public Command {
public:
  explicit HelpCommand(const CLI::App &root) : root_(root) {}
  std::string_view name() const override { return "help"; }
  std::string_view description() const override { return "print the help of abitag, or of COMMAND"; }

  void add_options(CLI::App &command) override {
    command.add_option("command", command_, "a command of abitag")->type_name("COMMAND");
  }

  llvm::Expected<int> run() override {
    if (command_.empty()) {
      // Not root_.help(): that shows the help of the command given, `help`.
      write_stdout(root_.get_formatter()->make_help(&root_, root_.get_name(), CLI::AppFormatMode::Normal));
      return kExitOk;
    }
    const CLI::App *command = find_command(root_, command_);
    if (!command)
      return unknown_command(command_, root_);
    write_stdout(command->help(root_.get_name()));
    return kExitOk;
  }

private:
  const CLI::App &root_;
  std::string command_;
};

} // namespace

CommandTable add_commands(CLI::App &root, const Registry &registry, const std::string &footer) {
  CommandTable table;
  std::vector<Command *> commands;
  auto own = [&](std::unique_ptr<Command> command) {
    commands.push_back(command.get());
    table.owned.push_back(std::move(command));
  };
  own(std::make_unique<AnalyzersCommand>(registry));
  for (const AnalyzerFactory &factory : registry.analyzers())
    own(make_analyzer_command(factory()));
  for (const std::unique_ptr<Command> &command : registry.commands())
    commands.push_back(command.get());
  for (std::unique_ptr<Command> &command : make_store_commands())
    own(std::move(command));
  own(make_audit_command());
  for (std::unique_ptr<Command> &command : make_package_commands())
    own(std::move(command));
  own(make_adopt_command());
  own(make_preview_command());
  own(std::make_unique<HelpCommand>(root));
  own(make_completion_command(root, registry));
  for (Command *command : commands) {
    CLI::App *sub = root.add_subcommand(std::string(command->name()), std::string(command->description()));
    sub->footer(footer);
    command->add_options(*sub);
    table.commands.emplace_back(command, sub);
  }
  return table;
}

} // namespace abitag::cli
