// SPDX-License-Identifier: MIT
// The analyzer interface and the registry that lists them.
//
// An analyzer computes a tag value, plus the evidence behind it, from the
// paths it is given. The front end gives each one a subcommand
// (`abitag NAME PATH...`) with the options every analyzer shares (--json,
// --explain, --root) and the ones the analyzer adds itself.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <llvm/Support/Error.h>
#include <nlohmann/json.hpp>

#include "fingerprint/errors.h"

// The core knows no command-line parser: an analyzer declares its options on
// CLI11's App in its own .cpp, and cli/ parses them.
namespace CLI {
class App;
}

namespace abitag {

// The tags PACKAGE has now in the tag store DB (empty: the front end's
// store), as KEY=VALUE pairs sorted by key. The front end owns the store and
// passes this in for an analyzer that folds tags in (inputs --lock-tags).
using StoreTags = std::vector<std::pair<std::string, std::string>>;
using ReadStoreTags = std::function<llvm::Expected<StoreTags>(const std::string &db, const std::string &package)>;

struct AnalysisInputs {
  std::vector<std::string> paths;
  std::string root = "/"; // absolute link targets are taken under it
  bool explain = false;   // fill Analysis::explanation
  bool json = false;      // --json: Analysis::document is printed, so it must be complete
  ReadStoreTags store_tags; // unset where no store is at hand
};

// How an analyzer's value can change when its package is rebuilt: what
// `abitag plan` predicts a rebuild will or may break from.
enum class RebuildChange {
  Always,       // every build gives a new value (a build time or a random id in it)
  WithInputs,   // identical inputs give the identical value; changed ones may change it
  WithCompiler, // only a change of compiler or of an ABI flag changes it, never the sources
  NotByRebuild, // a rebuild alone never changes it
};

struct Analysis {
  std::string value;                     // the tag, printed on stdout
  nlohmann::ordered_json document;       // what --json prints (value is added)
  std::vector<std::string> explanation;  // what --explain prints, on stderr
  std::vector<InputError> errors;        // unusable inputs: no value is printed
  std::string failure;                   // a failure of the environment (exit 4)
  int exit_code = kExitOk;               // for checks: kExitFindings when something was found
};

// One tag adopting records for a package: its key and the files it is
// computed from.
struct AdoptionTag {
  std::string key;
  std::vector<std::string> paths;
};
struct AdoptionTags {
  std::vector<AdoptionTag> tags;
  std::vector<InputError> left_out; // files read for no tag, and why
};

class Analyzer {
public:
  virtual ~Analyzer() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // Declares the analyzer's own options on its subcommand.
  virtual void add_options(CLI::App &) {}
  virtual Analysis analyze(const AnalysisInputs &inputs) = 0;
  // Once its options are parsed: why its value would come from the machine
  // running it (a compiler's version) rather than from the files alone, or
  // empty. The audit does not re-run such an analyzer to judge installed files.
  virtual std::string host_dependence() const { return {}; }
  // Once its options are parsed: how its value follows a rebuild, each
  // declaration with the evidence in a comment (doc/tag-determinism.md). The
  // default is the one that never lets `plan` miss a breakage.
  virtual RebuildChange rebuild_change() const { return RebuildChange::Always; }

  // Adopting an installed package (`abitag adopt`): whether this analyzer
  // reads FILE, a file the package owns (PATH inside the root, HEAD its first
  // bytes, up to kAdoptionHeadBytes). The analyzer runs once per package on
  // all the files it reads, with adoption_options(); a package with none gets
  // no tag from it. The default: the analyzer takes no part in adoption.
  virtual bool adopts(std::string_view /*path*/, std::string_view /*head*/) const { return false; }
  // For an ELF file adopts() turned down: whether this analyzer reads it for
  // what is appended to it, as TAIL (its last kAdoptionTailBytes) shows. An
  // SBCL executable is its runtime with the core behind it, found by the
  // trailer at the end of the file, which the head cannot show.
  virtual bool adopts_appended(std::string_view /*path*/, std::string_view /*tail*/) const { return false; }
  // The options adoption runs it with: ones whose value comes from the files
  // alone, so that the audit can compute it again.
  virtual std::vector<std::string> adoption_options() const { return {}; }
  // How the files of a package this analyzer reads (PATHS, where abitag
  // opens them; ROOT the system's root) make its tags, and the files it
  // leaves out with why (adopt --verbose says so). The default: one tag,
  // keyed by the analyzer's name, of them all. (ghc: one tag per unit, so
  // that a package registering many is locked on per unit.)
  virtual AdoptionTags adoption_tags(const std::vector<std::string> &paths, const std::string & /*root*/) const {
    return {{{std::string(name()), paths}}, {}};
  }
  // Whether ANALYSIS of a package's files found nothing to tag (qt: no file
  // exports or uses the private API): the package gets no tag from it.
  virtual bool found_nothing(const Analysis & /*analysis*/) const { return false; }
};

// How many first bytes of a file Analyzer::adopts is shown.
constexpr std::size_t kAdoptionHeadBytes = 64;
// How many last bytes of an ELF file Analyzer::adopts_appended is shown.
constexpr std::size_t kAdoptionTailBytes = 16;

// A subcommand of abitag: one an analyzer brings along (e.g. `abitag
// symbols`) and, in cli/, every other (each analyzer through one adapter,
// the tag store's, the audit, abitag's own). The front end registers and
// runs them all the same way.
class Command {
public:
  virtual ~Command() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  virtual void add_options(CLI::App &command) = 0;
  // The exit code of a run that completed (kExitOk, or kExitFindings for a
  // check that found something), or what ended it: the front end prints it
  // (ExitError, errors.h) and exits with its code.
  virtual llvm::Expected<int> run() = 0;
};

using AnalyzerFactory = std::function<std::unique_ptr<Analyzer>()>;

// Analyzers are registered as factories: options are parsed into an
// analyzer, so every run (a command line, a test, the tagger) starts from a
// fresh one with its defaults.
class Registry {
public:
  void add(AnalyzerFactory factory);
  void add(std::unique_ptr<Command> command);
  const std::vector<AnalyzerFactory> &analyzers() const { return analyzers_; }
  const std::vector<std::unique_ptr<Command>> &commands() const { return commands_; }
  // A new analyzer named NAME, or null.
  std::unique_ptr<Analyzer> create(std::string_view name) const;

private:
  std::vector<AnalyzerFactory> analyzers_;
  std::vector<std::unique_ptr<Command>> commands_;
};

} // namespace abitag
