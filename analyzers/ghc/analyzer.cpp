// SPDX-License-Identifier: MIT
// The ghc analyzer: the unit id (cabal id) and ABI hash of Haskell library
// components, and `--check` of a stack of package databases.
#include <CLI/CLI.hpp>

#include "analyzers/ghc/package_db_check.h"
#include "analyzers/ghc/read_inputs.h"
#include "analyzers/ghc/report.h"
#include "analyzers/ghc/ghc.h"

namespace abitag::ghc {
namespace {

// Why --tag cannot be made of INFO: its ABI hash is missing or not one word.
std::string tag_abi_problem(const PackageInfo &info) {
  const Field *abi = info.field("abi");
  // GHC registers its runtime system as a unit of C code: no Haskell
  // interface, so no ABI hash to tag it by.
  if (!abi && info.id == "rts")
    return "no abi field, which --tag needs (id rts: GHC's runtime system, C code with no Haskell interface to hash)";
  if (!abi)
    return "no abi field, which --tag needs (id " + info.id + ")";
  if (info.abi.empty())
    return "empty abi field, which --tag needs (id " + info.id + ")";
  return "abi field holds more than one word: '" + info.abi + "'";
}

std::string adoption_key(const PackageInfo &info) {
  return "ghc:" + info.package() + (info.is_main_library() ? "" : ":" + info.lib_name);
}

std::string join_lines(const std::vector<std::string> &lines) {
  std::string out;
  for (const std::string &line : lines)
    out += (out.empty() ? "" : "\n") + line;
  return out;
}

class GhcAnalyzer final : public Analyzer {
public:
  std::string_view name() const override { return "ghc"; }
  // The cabal id hashes the configuration and the abi field is GHC's hash of
  // the interfaces, deterministic since GHC 8.2: the same sources, flags and
  // dependencies give the same value; one changed source may change it
  // (doc/tag-determinism.md).
  RebuildChange rebuild_change() const override { return RebuildChange::WithInputs; }

  std::string_view description() const override {
    return "cabal id and ABI hash of Haskell libraries (register.sh, .conf, package.conf.d, "
           "ghc-pkg dump); --check a package database stack";
  }

  void add_options(CLI::App &command) override {
    auto *field = command.add_option("--field", field_,
                                     "print this InstalledPackageInfo field instead of id "
                                     "(abi, name, version, depends, ...)")
                      ->check(CLI::IsMember(known_fields(), CLI::ignore_case));
    auto *tag = command.add_flag("--tag", tag_, "print <id>:<abi>, which also changes when a "
                                                "rebuild keeps the id");
    command.add_flag("--all", all_, "every library component, sub-libraries too");
    command.add_flag("--check", check_,
                     "PATHs are package databases, global first: list broken units with the "
                     "reason, then the rebuild order; exit 1 if any")
        ->excludes(field)
        ->excludes(tag);
    tag->excludes(field);
  }

  // The .conf files of a GHC package database (Debian's
  // /var/lib/ghc/package.conf.d, ghc-pkg's package.db folders): the units a
  // package registered. Not any .conf.d (/etc/ld.so.conf.d).
  bool adopts(std::string_view path, std::string_view) const override {
    std::size_t slash = path.rfind('/');
    // Spelled out, not ends_with: the fuzz build compiles this as C++17.
    auto ends_with = [](std::string_view text, std::string_view end) {
      return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
    };
    if (slash == std::string_view::npos || !ends_with(path, ".conf"))
      return false;
    std::string_view folder = path.substr(0, slash);
    folder = folder.substr(folder.rfind('/') + 1);
    return ends_with(folder, "package.conf.d") || folder == "package.db";
  }
  // id:abi, which changes when a rebuild keeps the id; sub-libraries too.
  std::vector<std::string> adoption_options() const override { return {"--tag", "--all"}; }
  // A tag per unit (Debian's ghc package registers some thirty), keyed by
  // the unit's name, so a dependant is locked on the units it depends on
  // alone: ghc:NAME for a main library, ghc:PACKAGE:LIB for a sub-library
  // (Cabal's spelling); the value is what `abitag ghc --tag` prints for it.
  // A unit without an ABI hash (rts) is left out: --tag would refuse it.
  AdoptionTags adoption_tags(const std::vector<std::string> &paths, const std::string &root) const override {
    AdoptionTags out;
    for (const std::string &path : paths) {
      ReadResult read = read_inputs({path}, root);
      if (!read.errors.empty() || read.units.size() != 1) { // analyze() says what is wrong
        out.tags.push_back({"ghc", {path}});
        continue;
      }
      const PackageInfo &info = read.units.front().info;
      if (info.abi.empty() || info.abi.find_first_of(" \t\n") != std::string::npos)
        out.left_out.push_back({path, tag_abi_problem(info)});
      else
        out.tags.push_back({adoption_key(info), {path}});
    }
    return out;
  }

  Analysis analyze(const AnalysisInputs &inputs) override {
    Analysis out;
    ReadResult read = read_inputs(inputs.paths, inputs.root);
    out.errors = read.errors;
    if (!out.errors.empty())
      return out;
    if (check_)
      check(inputs, read, out);
    else
      report(inputs, read, out);
    return out;
  }

private:
  void report(const AnalysisInputs &inputs, const ReadResult &read, Analysis &out) {
    std::vector<std::string> lines;
    for (const Unit &unit : read.units) {
      if (!unit_shown(unit, all_))
        continue;
      if (tag_ && !unit.info.abi.empty() && unit.info.abi.find_first_of(" \t\n") == std::string::npos)
        lines.push_back(unit.info.id + ":" + unit.info.abi);
      else if (tag_) // half a tag would pass for a whole one
        out.errors.push_back({unit.path, tag_abi_problem(unit.info)});
      else if (!field_.empty())
        lines.push_back(field_text(unit.info, field_));
      else
        lines.push_back(unit.info.id);
    }
    if (inputs.explain)
      out.explanation = units_explanation(read, all_);
    if (!out.errors.empty())
      return;
    if (lines.empty()) {
      for (const std::string &path : inputs.paths)
        out.errors.push_back({path, read.units.empty() ? "no GHC package here"
                                                       : "only sub-libraries here (--all shows them)"});
      return;
    }
    out.value = join_lines(lines);
    out.document = units_json(read, out.value);
  }

  void check(const AnalysisInputs &inputs, const ReadResult &read, Analysis &out) {
    CheckResult result = check_package_dbs(read.units);
    out.value = join_lines(check_lines(read, result, inputs.paths.size()));
    out.exit_code = result.broken.empty() ? kExitOk : kExitFindings;
    out.document = check_json(read, result, inputs.paths, out.value);
    if (inputs.explain)
      out.explanation = check_explanation(read, inputs.paths);
  }

  std::string field_;
  bool tag_ = false;
  bool all_ = false;
  bool check_ = false;
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<GhcAnalyzer>(); });
}

} // namespace abitag::ghc
