// SPDX-License-Identifier: MIT
// The cxxabi analyzer: the C++ standard-library ABI that the ELF files under
// the given paths expose, as one tag value.
#include <optional>

#include <CLI/CLI.hpp>

#include "analyzers/cxxabi/compiler_identity.h"
#include "analyzers/cxxabi/file_verdict.h"
#include "analyzers/cxxabi/report.h"
#include "analyzers/cxxabi/cxxabi.h"
#include "analyzers/cxxabi/scan.h"
#include "analyzers/cxxabi/symbols_command.h"
#include "fingerprint/discover.h"

namespace abitag::cxxabi {
namespace {

// Reads and judges every file found, on all cores, largest first; a file
// that cannot be read is an error and gets no verdict.
std::vector<FileVerdict> judge_files(const Discovery &found, std::vector<InputError> &errors) {
  std::vector<std::optional<FileVerdict>> verdicts(found.files.size());
  std::vector<std::string> failures(found.files.size());
  for_each_file_largest_first(found.files, [&](std::size_t i) {
    thread_local NameClassifier classifier;
    const InputFile &input = found.files[i];
    llvm::Expected<elf::SymbolFile> symbols = elf::read_symbol_file(input.open_path);
    if (!symbols) {
      failures[i] = to_message(symbols.takeError());
      return;
    }
    verdicts[i] = judge_file(input.path, classify_file(std::move(*symbols), classifier, Detail::Families));
  });
  std::vector<FileVerdict> judged;
  for (std::size_t i = 0; i < failures.size(); ++i) {
    if (!failures[i].empty())
      errors.push_back({found.files[i].path, failures[i]});
    else
      judged.push_back(std::move(*verdicts[i]));
  }
  return judged;
}

class CxxabiAnalyzer final : public Analyzer {
public:
  std::string_view name() const override { return "cxxabi"; }
  // Which standard library's ABI the files use follows the compiler and the
  // flags that choose it (_GLIBCXX_USE_CXX11_ABI, -stdlib=libc++), and the
  // seed scheme hashes the compiler's --version: the same g++ or clang++
  // gives the same value on every rebuild (doc/tag-determinism.md). A source
  // that first uses the library turns 'compat' into a family.
  RebuildChange rebuild_change() const override { return RebuildChange::WithCompiler; }

  std::string_view description() const override {
    return "C++ standard-library ABI (libstdc++ old/cxx11, libc++) of ELF files and archives";
  }

  void add_options(CLI::App &command) override {
    command.add_option("--scheme", scheme_,
                       "seed: 'compat' or sha1 of '<compiler> --version' (the old pipeline's "
                       "value); abi: 'compat' or the ABI families used, joined by ','")
        ->check(CLI::IsMember({"seed", "abi"}))
        ->capture_default_str();
    auto *compiler = command.add_option("--compiler", compiler_,
                                        "compiler whose --version the seed scheme hashes (default gcc)");
    command.add_option("--tools-prefix", tools_prefix_,
                       "cross tool prefix, e.g. s390x-linux-gnu- (hashes PREFIXgcc)")
        ->excludes(compiler);
  }

  std::string host_dependence() const override {
    if (scheme_ == "seed")
      return "the seed scheme hashes the --version of this machine's compiler, not the installed files";
    return {};
  }

  // Every ELF file and ar archive a package owns: what discover() reads.
  bool adopts(std::string_view, std::string_view head) const override {
    return head.substr(0, 4) == "\x7f" "ELF" || head.substr(0, 8) == "!<arch>\n" || head.substr(0, 8) == "!<thin>\n";
  }
  // The abi scheme: the seed scheme hashes this machine's compiler.
  std::vector<std::string> adoption_options() const override { return {"--scheme", "abi"}; }

  Analysis analyze(const AnalysisInputs &inputs) override {
    Analysis out;
    Discovery found = discover(inputs.paths, binary_inputs(inputs.root));
    out.errors = found.errors;
    CxxabiResult result;
    result.verdicts = judge_files(found, out.errors);
    if (!out.errors.empty())
      return out;
    result.scheme = scheme_;
    for (const FileVerdict &v : result.verdicts)
      result.families |= v.tag_families;
    result.value = abi_scheme_value(result.families);
    if (scheme_ == "seed" && result.families) {
      result.compiler = compiler_command(compiler_, tools_prefix_);
      llvm::Expected<std::string> seed = compiler_seed_tag(result.compiler);
      if (!seed) {
        out.failure = "cannot compute the seed tag: " + to_message(seed.takeError());
        return out;
      }
      result.value = *seed;
    } else if (scheme_ == "seed") {
      result.value = "compat";
    }
    result.links = std::move(found.links);
    result.files = std::move(found.files);
    result.other_files = found.other_files;
    out.value = result.value;
    out.document = result_json(result);
    if (inputs.explain)
      out.explanation = explanation_lines(result);
    return out;
  }

private:
  std::string scheme_ = "seed";
  std::string compiler_;
  std::string tools_prefix_;
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<CxxabiAnalyzer>(); });
  registry.add(make_symbols_command());
}

} // namespace abitag::cxxabi
