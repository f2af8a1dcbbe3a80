// SPDX-License-Identifier: MIT
// The plan: given the packages a resolver is about to rebuild or upgrade,
// which installed packages' locks will or may go stale, before anything is
// built. It follows each tag's declaration (Analyzer::rebuild_change) and the
// fingerprint of the new inputs where the resolver knows it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>
#include <nlohmann/json.hpp>

#include "fingerprint/analyzer.h"
#include "tagger/rebuild_order.h"
#include "tagger/store.h"

namespace abitag::tagger {

struct PlannedRebuild {
  std::string package;
  std::optional<std::string> fingerprint; // of its new inputs (the inputs analyzer's value)
};

// How the tag TAG follows a rebuild: its analyzer's declaration, with its
// recorded options. A manual tag or an unknown analyzer is Always.
using DeclarationOf = std::function<RebuildChange(const Tag &tag)>;

struct PredictedBreakage {
  Lock lock;
  RebuildChange declaration = RebuildChange::Always; // of the dependency's tag
  std::string reason;                               // why it will or may change
};

struct PlanReport {
  std::vector<PredictedBreakage> will_break, may_break;
  // The dependants to rebuild (not the planned packages), dependencies first.
  RebuildOrder rebuild;
  bool clean() const { return will_break.empty() && may_break.empty(); }
};

// Naming a package the store does not know is an error.
llvm::Expected<PlanReport> plan(Store &store, const std::vector<PlannedRebuild> &planned,
                                const DeclarationOf &declaration_of);

nlohmann::ordered_json to_json(const PlanReport &report);

// "PKG: DEP KEY locked VALUE (REASON)".
std::string describe(const PredictedBreakage &breakage);
// "always", "with-inputs", "with-compiler", "not-by-rebuild".
std::string declaration_name(RebuildChange change);

} // namespace abitag::tagger
