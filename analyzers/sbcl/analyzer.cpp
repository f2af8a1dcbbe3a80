// SPDX-License-Identifier: MIT
// The sbcl analyzer: the build id each SBCL core needs or runtime provides,
// its hash, its layout and the foreign libraries it reopens; and --check,
// which says whether each core would start.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>

#include <CLI/CLI.hpp>

#include "analyzers/sbcl/check.h"
#include "analyzers/sbcl/core_facts.h"
#include "analyzers/sbcl/core_header.h"
#include "analyzers/sbcl/heap_walk.h"
#include "analyzers/sbcl/sbcl.h"
#include "analyzers/sbcl/report.h"
#include "analyzers/sbcl/sbcl_file.h"
#include "analyzers/sbcl/space_directory.h"
#include "fingerprint/discover.h"
#include "fingerprint/hash.h"

namespace abitag::sbcl {
namespace {

struct Mode {
  bool sha256 = false;
  bool heap = false; // space placement and the foreign-library walk
};

llvm::Error deep_read(const std::string &open_path, Report &report, const Mode &mode) {
  if (mode.sha256) {
    llvm::Expected<std::string> digest = file_digest_hex(open_path, DigestKind::Sha256);
    if (!digest)
      return digest.takeError();
    report.sha256 = *digest;
  }
  if (!mode.heap || !report.file.header)
    return llvm::Error::success();
  llvm::Expected<CoreFacts> facts = read_core_facts(open_path, report.file);
  if (!facts)
    return facts.takeError();
  report.spaces = std::move(facts->spaces);
  report.libraries = std::move(facts->libraries);
  report.embedded_runtime_id = std::move(facts->embedded_runtime_id);
  return llvm::Error::success();
}

Report examine(const InputFile &input, bool named, const Mode &mode) {
  Report report;
  report.path = input.path;
  // Met in a walk, a file that starts with the four letters of CORE_MAGIC
  // but not as every core starts (a text file beginning "SBCL") is not ours.
  if (!named && starts_with_core_magic(input.head) && !starts_like_plain_core(input.head)) {
    report.skipped = true;
    return report;
  }
  llvm::Expected<SbclFile> file = identify_file(input.open_path);
  if (!file) {
    report.error = to_message(file.takeError()); // a broken core, even when met in a walk
    return report;
  }
  report.file = std::move(*file);
  if (report.file.kind == FileKind::Other) {
    if (!named)
      report.skipped = true; // an ELF file met in a walk that is not ours, readable or not
    else if (!report.file.unreadable_elf.empty())
      report.error = report.file.unreadable_elf;
    else
      report.error = "not an SBCL core, executable or runtime (no CORE_MAGIC at the start or in the "
                     "trailer, no build_id symbol)";
    return report;
  }
  if (llvm::Error e = deep_read(input.open_path, report, mode))
    report.error = to_message(std::move(e));
  return report;
}

class SbclAnalyzer final : public Analyzer {
public:
  std::string_view name() const override { return "sbcl"; }
  // The runtime's build id holds the host, the user and the time of the
  // build, so every rebuild of SBCL gives a new one (a core saved twice with
  // one runtime keeps it: doc/tag-determinism.md).
  RebuildChange rebuild_change() const override { return RebuildChange::Always; }

  std::string_view description() const override {
    return "build id, hash and foreign libraries of SBCL cores, executables and runtimes";
  }

  void add_options(CLI::App &command) override {
    command.add_option("--field", field_, "what to print per file: build-id, or sha256 of the whole file")
        ->check(CLI::IsMember({"build-id", "sha256"}))
        ->capture_default_str();
    auto *check = command.add_flag("--check", check_,
                     "say whether each core would start: build id against the runtime, and the "
                     "foreign libraries it reopens; exit 1 on a problem. With --root DIR, the "
                     "runtime and the libraries are those inside DIR");
    command.add_option("--runtime", runtime_,
                       "the runtime for --check (default: sbcl on PATH, its sbcl.core, /usr/bin/sbcl; with "
                       "--root DIR: DIR/usr/local/bin/sbcl, DIR/usr/bin/sbcl)")
        ->needs(check)
        ->type_name("PATH");
    command.add_flag("--common", common_,
                     "one value for all the files (a runtime and the cores it ships agree): the build id "
                     "once, an error naming the files when they differ")
        ->excludes(check);
  }

  // A package's cores (by their magic and name: a text file may start with
  // "SBCL", /usr/share/doc/sbcl/BUGS does) and its runtime (an ELF file named sbcl).
  bool adopts(std::string_view path, std::string_view head) const override {
    if (starts_with_core_magic(head)) // not ends_with: the fuzz build is C++17
      return path.size() >= 5 && path.substr(path.size() - 5) == ".core";
    return head.substr(0, 4) == "\x7f" "ELF" && path.substr(path.rfind('/') + 1) == "sbcl";
  }
  // An executable: its runtime with a core behind it, found by the trailer.
  bool adopts_appended(std::string_view, std::string_view tail) const override { return ends_like_core_trailer(tail); }
  std::vector<std::string> adoption_options() const override { return {"--common"}; }

  Analysis analyze(const AnalysisInputs &inputs) override {
    Analysis out;
    DiscoverOptions options;
    options.root = inputs.root;
    options.accept = [](std::string_view) { return true; }; // decided by examine()
    Discovery found = discover(inputs.paths, options);
    out.errors = found.errors;

    // The default value needs only the header page and trailer; the rest is
    // read when --json or --check asks for it.
    Mode mode{field_ == "sha256" || inputs.json, inputs.json || check_};
    std::set<std::string> named(inputs.paths.begin(), inputs.paths.end());
    std::vector<Report> reports(found.files.size());
    for_each_file_largest_first(found.files, [&](std::size_t i) {
      const InputFile &input = found.files[i];
      reports[i] = examine(input, named.count(input.path) > 0, mode);
    });

    std::size_t other = found.other_files;
    std::vector<const Report *> kept;
    for (const Report &report : reports) {
      if (!report.error.empty())
        out.errors.push_back({report.path, report.error});
      else if (report.skipped || report.file.kind == FileKind::Other)
        ++other;
      else
        kept.push_back(&report);
    }
    if (!out.errors.empty())
      return out;
    // Nothing to read is bad input, in every mode: a value made of no file
    // would be an empty tag, and a check of nothing would pass unchecked.
    if (kept.empty()) {
      for (const std::string &path : inputs.paths)
        out.errors.push_back({path, "no SBCL core or runtime here"});
      return out;
    }
    return check_ ? check(kept, inputs.root, out) : describe(kept, other, found, inputs, out);
  }

private:
  Analysis &describe(const std::vector<const Report *> &kept, std::size_t other,
                     const Discovery &found, const AnalysisInputs &inputs, Analysis &out) {
    std::string value;
    for (const Report *r : kept) {
      std::string shown = field_ == "sha256" ? r->sha256 : r->file.build_id;
      if (common_ && !value.empty() && shown != value) {
        out.errors.push_back({r->path, field_ + " " + shown + " differs from " + kept.front()->path + "'s " + value});
        return out;
      }
      if (common_)
        value = shown;
      else
        value += (value.empty() ? "" : "\n") + (kept.size() == 1 ? shown : shown + "  " + r->path);
    }
    Description description{field_, value, kept, found.links, other};
    out.value = value;
    out.document = description_json(description);
    if (inputs.explain)
      out.explanation = description_explanation(description);
    return out;
  }

  Analysis &check(const std::vector<const Report *> &kept, const std::string &given_root, Analysis &out) {
    // --root is where the runtime and the foreign libraries are looked for.
    char canonical[PATH_MAX];
    if (!::realpath(given_root.c_str(), canonical)) {
      out.errors.push_back({given_root, std::strerror(errno)});
      return out;
    }
    LibrarySearch search;
    search.root = canonical;
    bool need_runtime = false;
    for (const Report *r : kept)
      need_runtime |= r->file.kind == FileKind::Core;
    RuntimeLookup lookup;
    if (need_runtime) {
      lookup = find_runtime(runtime_, search.root);
      if (!lookup.input_error.empty()) {
        out.errors.push_back({runtime_, lookup.input_error});
        return out;
      }
      if (!lookup.failure.empty()) {
        out.failure = lookup.failure;
        return out;
      }
    }
    CheckRun run;
    run.runtime = lookup.runtime ? &*lookup.runtime : nullptr;
    for (const Report *r : kept)
      if (r->file.kind != FileKind::Runtime)
        run.cores.push_back({r, check_core(r->file, r->embedded_runtime_id, *r->libraries, run.runtime, search)});
    std::vector<std::string> problems = problem_lines(run);
    for (const std::string &line : problems)
      out.value += (out.value.empty() ? "" : "\n") + line;
    out.exit_code = problems.empty() ? kExitOk : kExitFindings;
    out.document = check_run_json(run, out.value);
    out.explanation = check_explanation(run);
    return out;
  }

  std::string field_ = "build-id";
  bool check_ = false;
  bool common_ = false;
  std::string runtime_;
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<SbclAnalyzer>(); });
}

} // namespace abitag::sbcl
