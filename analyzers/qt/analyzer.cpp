// SPDX-License-Identifier: MIT
// The qt analyzer: the exact Qt version of the files that export Qt's
// private API, as one tag value, and --check, which says whether each user
// of it still matches the Qt it would load.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include <CLI/CLI.hpp>

#include "analyzers/qt/qt.h"
#include "analyzers/qt/report.h"
#include "fingerprint/discover.h"
#include "fingerprint/folders.h"
#include "fingerprint/paths.h"

namespace abitag::qt {
namespace {

struct Inputs {
  std::vector<QtFile> files;      // those that export or use the private API
  std::vector<std::string> opened; // what was opened for each (for $ORIGIN)
  std::size_t other_elf = 0;      // ELF files without anything of Qt's private API
};

Inputs read_inputs(const Discovery &found, Analysis &out) {
  std::vector<std::optional<QtFile>> read(found.files.size());
  std::vector<std::string> failures(found.files.size());
  for_each_file_largest_first(found.files, [&](std::size_t i) {
    llvm::Expected<QtFile> file = read_qt_file(found.files[i].open_path);
    if (!file) {
      failures[i] = to_message(file.takeError());
      return;
    }
    file->path = found.files[i].path;
    read[i] = std::move(*file);
  });
  Inputs in;
  for (std::size_t i = 0; i < read.size(); ++i) {
    if (!failures[i].empty()) {
      out.errors.push_back({found.files[i].path, failures[i]});
    } else if (read[i]->exports_private_api() || read[i]->uses_private_api()) {
      in.files.push_back(std::move(*read[i]));
      in.opened.push_back(found.files[i].open_path);
    } else {
      ++in.other_elf;
    }
  }
  return in;
}

class QtAnalyzer final : public Analyzer {
public:
  std::string_view name() const override { return "qt"; }
  // The exact Qt version, from Qt's sources: a rebuild of the same version
  // keeps it, an upgrade changes it.
  RebuildChange rebuild_change() const override { return RebuildChange::WithInputs; }

  std::string_view description() const override {
    return "Qt's private API: the exact Qt version of the libraries that export it, the files that use it";
  }

  void add_options(CLI::App &command) override {
    command.add_flag("--check", check_,
                     "say whether each user of the private API still matches the Qt library it would "
                     "load (looked for inside --root DIR): broken when that library lacks a private "
                     "version or symbol it imports, or is another Qt version than the known one it was "
                     "built against; at risk when a version is unknown or the library is not found; "
                     "exit 1 when something is broken");
  }

  // Every ELF file: those that neither export nor use the private API give
  // no value, so most packages get no qt tag.
  bool adopts(std::string_view, std::string_view head) const override { return head.substr(0, 4) == "\x7f" "ELF"; }
  bool found_nothing(const Analysis &analysis) const override { return analysis.document["files"].empty(); }

  Analysis analyze(const AnalysisInputs &inputs) override {
    Analysis out;
    DiscoverOptions options;
    options.root = inputs.root;
    options.accept = [](std::string_view head) { return sniff_content(head) == ContentKind::Elf; };
    options.wanted = "not an ELF file";
    Discovery found = discover(inputs.paths, options);
    out.errors = found.errors;
    Inputs in = read_inputs(found, out);
    if (!out.errors.empty())
      return out;
    return check_ ? check(in, inputs, out) : describe(in, found, inputs, out);
  }

private:
  Analysis &describe(const Inputs &in, const Discovery &found, const AnalysisInputs &inputs, Analysis &out) {
    std::vector<const QtFile *> files;
    for (const QtFile &file : in.files)
      files.push_back(&file);
    Description description{tag_value(files), &in.files, in.other_elf, found.links, found.other_files};
    out.value = description.value;
    out.document = description_json(description);
    if (inputs.explain)
      out.explanation = description_explanation(description);
    return out;
  }

  Analysis &check(const Inputs &in, const AnalysisInputs &inputs, Analysis &out) {
    CheckRun run;
    run.root = real_path(inputs.root);
    if (run.root.empty()) {
      out.errors.push_back({inputs.root, std::strerror(errno)});
      return out;
    }
    ProviderLookup lookup(run.root);
    bool broken = false;
    for (std::size_t i = 0; i < in.files.size(); ++i) {
      const QtFile &file = in.files[i];
      if (!file.uses_private_api())
        continue;
      std::string origin = parent_dir(path_inside_root(run.root, real_path(in.opened[i])));
      CheckedFile checked{&file, check_private_uses(file, origin, lookup), {}};
      for (const Finding &f : checked.findings)
        broken |= f.severity == Severity::Broken;
      if (inputs.explain)
        checked.good = good_uses(file, origin, checked.findings, lookup);
      run.files.push_back(std::move(checked));
    }
    for (const std::string &line : finding_lines(run))
      out.value += (out.value.empty() ? "" : "\n") + line;
    out.exit_code = broken ? kExitFindings : kExitOk;
    out.document = check_run_json(run, out.value);
    out.explanation = check_explanation(run);
    return out;
  }

  // The uses that were found well, and where their library is.
  static std::vector<GoodUse> good_uses(const QtFile &file, const std::string &origin,
                                        const std::vector<Finding> &findings, ProviderLookup &lookup) {
    std::vector<GoodUse> good;
    for (const PrivateUse &use : file.private_uses) {
      bool found = false;
      for (const Finding &f : findings)
        found |= f.library == use.library && f.tag == use.tag;
      if (found)
        continue;
      const Provider &provider = lookup.find(file, origin, use.library);
      good.push_back({use.library, use.tag, provider.path, provided_version(*provider.file).described()});
    }
    return good;
  }

  bool check_ = false;
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<QtAnalyzer>(); });
}

} // namespace abitag::qt
