// SPDX-License-Identifier: MIT
#include "cli/analyzer_command.h"

#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/tagger_commands.h"
#include "fingerprint/json_text.h"
#include "fingerprint/output.h"

namespace abitag::cli {
namespace {

class AnalyzerCommand final : public Command {
public:
  explicit AnalyzerCommand(std::unique_ptr<Analyzer> analyzer) : analyzer_(std::move(analyzer)) {}

  std::string_view name() const override { return analyzer_->name(); }
  std::string_view description() const override { return analyzer_->description(); }

  void add_options(CLI::App &command) override {
    command.add_option("paths", inputs_.paths, "files or folders to analyze")->required()->type_name("PATH");
    command.add_flag("--json", inputs_.json, "print one JSON document with the value and the evidence");
    command.add_flag("--explain", inputs_.explain, "print the evidence per file on stderr (stdout keeps the value)");
    command.add_option("--root", inputs_.root, "take absolute link targets of named paths under DIR")
        ->capture_default_str()
        ->type_name("DIR");
    analyzer_->add_options(command);
  }

  llvm::Expected<int> run() override {
    inputs_.store_tags = store_tags_reader(default_store_path());
    Analysis analysis = analyzer_->analyze(inputs_);
    if (llvm::Error e = analysis_error(analysis))
      return e;
    for (const std::string &line : analysis.explanation)
      std::fprintf(stderr, "%s\n", line.c_str());
    if (inputs_.json)
      write_stdout(json_text(analysis.document, 2) + "\n");
    else if (!analysis.value.empty()) // a check that found nothing prints nothing
      write_stdout(analysis.value + "\n");
    return analysis.exit_code;
  }

private:
  std::unique_ptr<Analyzer> analyzer_;
  AnalysisInputs inputs_;
};

} // namespace

std::unique_ptr<Command> make_analyzer_command(std::unique_ptr<Analyzer> analyzer) {
  return std::make_unique<AnalyzerCommand>(std::move(analyzer));
}

llvm::Error analysis_error(const Analysis &analysis) {
  if (!analysis.errors.empty())
    return input_errors(analysis.errors);
  if (!analysis.failure.empty())
    return environment_error(analysis.failure);
  return llvm::Error::success();
}

} // namespace abitag::cli
