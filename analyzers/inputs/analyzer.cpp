// SPDX-License-Identifier: MIT
// The inputs analyzer: `abitag inputs FILE... [--value NAME=VALUE]...
// [--compiler CMD] [--lock-tags PKG]...` prints one fingerprint of them.
// The files are its paths, as every analyzer's (a build reads at least its
// recipe, so one is required), and `abitag tag PKG inputs FILE...` records
// them like any tag's.
#include <CLI/CLI.hpp>

#include "analyzers/inputs/input_list.h"
#include "analyzers/inputs/inputs.h"
#include "analyzers/inputs/report.h"

namespace abitag::inputs {
namespace {

class InputsAnalyzer final : public Analyzer {
public:
  std::string_view name() const override { return "inputs"; }
  std::string_view description() const override {
    return "a fingerprint of a build's inputs, before building: files (in any order), named values, the "
           "compiler, and the current tags of the packages it locks on";
  }

  void add_options(CLI::App &command) override {
    command.add_option("--value", values_, "a named value the build depends on (an option, a flag)")
        ->type_name("NAME=VALUE");
    command.add_option("--compiler", compiler_,
                       "the compiler the build will use: its identity and its target (-dumpmachine, if it has one)")
        ->type_name("CMD");
    command.add_option("--compiler-check", compiler_check_,
                       "the compiler's identity, as ccache's compiler_check: its --version output, or the "
                       "content of its binary")
        ->check(CLI::IsMember({"version", "content"}))
        ->capture_default_str();
    command.add_option("--lock-tags", lock_tags_,
                       "a package the build locks on: its current tags in the store are inputs too, so a "
                       "change below it changes this fingerprint")
        ->type_name("PKG");
    command.add_option("--db", db_,
                       "the store --lock-tags reads (default: that of `abitag tag`, else $ABITAG_DB, else "
                       "/var/lib/abitag/tags.db)")
        ->type_name("PATH");
  }

  // The files are a build's, not installed ones, and the compiler and the
  // store are this machine's: the audit cannot compute the value again.
  std::string host_dependence() const override {
    return "a fingerprint of a build's inputs (distfiles, the compiler, the store's tags), not of installed files";
  }

  // By construction: the value is a hash of the inputs alone.
  RebuildChange rebuild_change() const override { return RebuildChange::WithInputs; }

  Analysis analyze(const AnalysisInputs &given) override {
    Analysis out;
    InputList list;
    add_files(given.paths, list);
    add_values(values_, list);
    if (!compiler_.empty())
      add_compiler(compiler_, compiler_check_, list);
    add_store_tags(lock_tags_, db_, given.store_tags, list);
    out.errors = std::move(list.errors);
    if (!out.errors.empty())
      return out;
    out.value = fingerprint_of(list.inputs);
    out.document = inputs_json(list.inputs, out.value);
    if (given.explain)
      out.explanation = inputs_explanation(list.inputs);
    return out;
  }

private:
  std::vector<std::string> values_, lock_tags_;
  std::string compiler_, compiler_check_ = "version", db_;
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<InputsAnalyzer>(); });
}

} // namespace abitag::inputs
