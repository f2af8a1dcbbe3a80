// SPDX-License-Identifier: MIT
// The cxxabi analyzer: the C++ standard-library ABI that the ELF files under
// the given paths expose, as one tag value.
#include <optional>

#include <CLI/CLI.hpp>

#include "analyzers/cxxabi/compiler_identity.h"
#include "analyzers/cxxabi/file_verdict.h"
#include "analyzers/cxxabi/cxxabi.h"
#include "analyzers/cxxabi/scan.h"
#include "analyzers/cxxabi/symbols_command.h"
#include "elf/demangle.h"
#include "fingerprint/discover.h"

namespace abitag::cxxabi {
namespace {

constexpr const char *kNoProofNote =
    "no evidence is not proof: a class with a std::string member, and an old-ABI function "
    "returning std::string or std::list by value, leave no trace in symbol names";

// The ABI families of the --scheme abi value, in this fixed order.
std::string abi_scheme_value(std::uint8_t families) {
  return join_families(families, {"libstdc++-old", "libstdc++-cxx11", "libc++", "c++11-dialect"},
                       "compat");
}

void explain_file(const FileVerdict &v, std::vector<std::string> &lines) {
  std::string head = v.path + ": " + v.verdict;
  if (!v.flags.empty()) {
    head += " [";
    for (std::size_t i = 0; i < v.flags.size(); ++i)
      head += (i ? "," : "") + v.flags[i];
    head += "]";
  }
  lines.push_back(head);
  std::string counts = "  counts:";
  for (const auto &[key, n] : v.counts)
    counts += " " + key + "=" + std::to_string(n);
  lines.push_back(counts + " symbols=" + std::to_string(v.symbols));
  if (!v.read_through_loader.empty())
    lines.push_back("  symbols read through the dynamic segment, as the loader reads them: " +
                    v.read_through_loader + " (no .comment to name the compiler)");
  for (const std::string &compiler : v.compilers)
    lines.push_back("  compiler: " + compiler);
  for (const EvidenceSymbol &e : v.evidence)
    lines.push_back(std::string("  ") + scope_name(e.scope) + " " + e.families + ": " +
                    (e.member.empty() ? "" : e.member + ": ") + e.name + "  " + elf::demangle(e.name));
}

// How many files of each kind were read: with none, `compat` says only that
// nothing here has a C++ interface, and --explain and --json say so.
struct FilesRead {
  std::size_t elf = 0, archives = 0;
};

FilesRead count_files(const std::vector<InputFile> &files) {
  FilesRead read;
  for (const InputFile &file : files)
    (sniff_content(file.head) == ContentKind::Elf ? read.elf : read.archives)++;
  return read;
}

std::string files_read_line(const FilesRead &read, std::size_t other_files) {
  std::string line = std::to_string(read.elf + read.archives) + " files read (" + std::to_string(read.elf) +
                     " ELF files, " + std::to_string(read.archives) + " archives), " +
                     std::to_string(other_files) + " other files skipped";
  if (read.elf + read.archives == 0)
    line += ": no ELF file or archive here, so no C++ interface";
  return line;
}

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
    std::vector<FileVerdict> verdicts = judge_files(found, out.errors);
    if (!out.errors.empty())
      return out;

    std::uint8_t families = 0;
    for (const FileVerdict &v : verdicts)
      families |= v.tag_families;
    out.value = abi_scheme_value(families);
    std::string compiler;
    if (scheme_ == "seed" && families) {
      compiler = compiler_command(compiler_, tools_prefix_);
      llvm::Expected<std::string> seed = compiler_seed_tag(compiler);
      if (!seed) {
        out.value.clear();
        out.failure = "cannot compute the seed tag: " + to_message(seed.takeError());
        return out;
      }
      out.value = *seed;
    } else if (scheme_ == "seed") {
      out.value = "compat";
    }
    describe(found, verdicts, families, compiler, inputs, out);
    return out;
  }

private:
  // What --json and --explain add to the value.
  void describe(const Discovery &found, const std::vector<FileVerdict> &verdicts, std::uint8_t families,
                const std::string &compiler, const AnalysisInputs &inputs, Analysis &out) const {
    out.document["analyzer"] = "cxxabi";
    out.document["scheme"] = scheme_;
    out.document["value"] = out.value;
    if (!compiler.empty())
      out.document["compiler"] = compiler;
    out.document["families"] = abi_scheme_value(families);
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const FileVerdict &v : verdicts)
      files.push_back(file_json(v));
    out.document["files"] = std::move(files);
    out.document["skipped_links"] = skipped_links_json(found.links);
    FilesRead read = count_files(found.files);
    out.document["files_read"] = read.elf + read.archives;
    out.document["elf_files"] = read.elf;
    out.document["archives"] = read.archives;
    out.document["other_files"] = found.other_files;
    out.document["note"] = kNoProofNote;
    if (!inputs.explain)
      return;
    for (const FileVerdict &v : verdicts)
      explain_file(v, out.explanation);
    for (const SkippedLink &link : found.links)
      out.explanation.push_back(link.path + ": skipped: " + link.what);
    out.explanation.push_back(files_read_line(read, found.other_files));
    out.explanation.push_back(std::string("note: ") + kNoProofNote);
    if (!compiler.empty())
      out.explanation.push_back("value: sha1 of '" + compiler + " --version'");
  }

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
