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
#include "fingerprint/paths.h"

namespace abitag::qt {
namespace {

// The canonical form of PATH, or empty.
std::string real_path(const std::string &path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) ? std::string(resolved) : std::string();
}

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
    out.value = tag_value(files);
    out.document["analyzer"] = "qt";
    out.document["value"] = out.value;
    nlohmann::ordered_json listed = nlohmann::ordered_json::array();
    for (const QtFile &file : in.files)
      listed.push_back(file_json(file));
    out.document["files"] = std::move(listed);
    out.document["other_elf_files"] = in.other_elf;
    add_discovery_json(out.document, found.links, found.other_files);
    if (!inputs.explain)
      return out;
    std::size_t exporting = 0, using_ = 0;
    for (const QtFile &file : in.files) {
      explain_file(file, out.explanation);
      exporting += file.exports_private_api();
      using_ += file.uses_private_api();
    }
    for (const SkippedLink &link : found.links)
      out.explanation.push_back(link.path + ": skipped: " + link.what);
    out.explanation.push_back(std::to_string(exporting) + " files export Qt's private API, " +
                              std::to_string(using_) + " use it; " + std::to_string(in.other_elf) +
                              " other ELF files, " + std::to_string(found.other_files) + " other files skipped");
    return out;
  }

  Analysis &check(const Inputs &in, const AnalysisInputs &inputs, Analysis &out) {
    std::string root = real_path(inputs.root);
    if (root.empty()) {
      out.errors.push_back({inputs.root, std::strerror(errno)});
      return out;
    }
    ProviderLookup lookup(root);
    bool broken = false;
    nlohmann::ordered_json listed = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < in.files.size(); ++i) {
      const QtFile &file = in.files[i];
      if (!file.uses_private_api())
        continue;
      std::string origin = parent_dir(path_inside_root(root, real_path(in.opened[i])));
      std::vector<Finding> findings = check_private_uses(file, origin, lookup);
      nlohmann::ordered_json shown = file_json(file);
      shown["findings"] = nlohmann::ordered_json::array();
      for (const Finding &f : findings) {
        broken |= f.severity == Severity::Broken;
        out.value += (out.value.empty() ? "" : "\n") + file.path + ": " + severity_name(f.severity) + ": " + f.detail;
        shown["findings"].push_back(finding_json(f));
      }
      if (inputs.explain)
        explain_matches(file, origin, findings, lookup, out.explanation);
      listed.push_back(std::move(shown));
    }
    out.exit_code = broken ? kExitFindings : kExitOk;
    out.document["analyzer"] = "qt";
    out.document["check"] = true;
    out.document["root"] = root;
    out.document["value"] = out.value;
    out.document["files"] = std::move(listed);
    return out;
  }

  // For --explain: the uses that were found well, and where their library is.
  static void explain_matches(const QtFile &file, const std::string &origin, const std::vector<Finding> &findings,
                              ProviderLookup &lookup, std::vector<std::string> &lines) {
    for (const PrivateUse &use : file.private_uses) {
      bool found = false;
      for (const Finding &f : findings)
        found |= f.library == use.library && f.tag == use.tag;
      if (found)
        continue;
      const Provider &provider = lookup.find(file, origin, use.library);
      lines.push_back(file.path + ": " + use.library + " (" + use.tag + ") is " + provider.path + ", " +
                      provided_version(*provider.file).described() + ", as built against");
    }
  }

  bool check_ = false;
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<QtAnalyzer>(); });
}

} // namespace abitag::qt
