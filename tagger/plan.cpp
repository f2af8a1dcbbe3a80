// SPDX-License-Identifier: MIT
#include "tagger/plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "fingerprint/errors.h"
#include "tagger/check.h"

namespace abitag::tagger {
namespace {

// How sure the plan is that a package is rebuilt, or that a tag changes.
enum class Certainty { None, May, Will };

struct Verdict {
  Certainty certainty = Certainty::None;
  RebuildChange declaration = RebuildChange::Always;
  std::string reason;
};

// What is known of a package's rebuild: how certain it is, and the new
// inputs' fingerprint (the planned packages' only).
struct Rebuild {
  Certainty certainty = Certainty::None;
  std::optional<std::string> fingerprint;
  bool planned = false; // else rebuilt because it locks on what changes
  // A planned package's: how certain a tag it locks on changes in the same
  // plan. Its fingerprint was taken from that tag's old value (--lock-tags),
  // or does not cover it, so an equal fingerprint no longer proves its tags
  // stay: GHC's abi follows the interfaces of the units below.
  Certainty below = Certainty::None;
};

// The inputs analyzer's own tag: its new value is the fingerprint itself.
Verdict inputs_verdict(const Tag &tag, const Rebuild &rebuild) {
  if (!rebuild.fingerprint)
    return {Certainty::May, RebuildChange::WithInputs, "its new inputs are not known"};
  if (*rebuild.fingerprint == tag.value && rebuild.below != Certainty::None)
    return {Certainty::May, RebuildChange::WithInputs, "a dependency it locks on changes in the same plan"};
  if (*rebuild.fingerprint == tag.value)
    return {Certainty::None, RebuildChange::WithInputs, ""};
  return {Certainty::Will, RebuildChange::WithInputs, "its new inputs fingerprint differs"};
}

// How TAG of a package rebuilt as REBUILD changes; RECORDED_INPUTS is the
// package's inputs tag, if any.
Verdict tag_verdict(const Tag &tag, const Rebuild &rebuild, const std::optional<std::string> &recorded_inputs,
                    const DeclarationOf &declaration_of) {
  if (tag.key == "inputs" && tag.source == "inputs")
    return inputs_verdict(tag, rebuild);
  Verdict out{Certainty::May, declaration_of(tag), ""};
  std::string declared = tag.key + " is declared " + declaration_name(out.declaration);
  if (out.declaration == RebuildChange::NotByRebuild)
    return {Certainty::None, out.declaration, ""};
  if (out.declaration == RebuildChange::Always) {
    out.certainty = Certainty::Will;
    out.reason = declared + ": every build changes it";
  } else if (!rebuild.planned) {
    out.reason = declared + " and " + tag.package + " is rebuilt against a changed dependency";
  } else if (!rebuild.fingerprint) {
    out.reason = declared + " and the new inputs are not known";
  } else if (!recorded_inputs) {
    out.reason = declared + " and no inputs tag was recorded to compare with";
  } else if (*recorded_inputs != *rebuild.fingerprint) {
    out.reason = declared + " and the new inputs differ from the recorded ones";
  } else if (rebuild.below != Certainty::None) {
    out.reason = declared + " and a dependency it locks on changes in the same plan";
  } else {
    return {Certainty::None, out.declaration, ""};
  }
  // A dependant that only may be rebuilt only may change its tags.
  if (rebuild.certainty == Certainty::May)
    out.certainty = Certainty::May;
  return out;
}

// Each tag of PACKAGE with its verdict, by key.
llvm::Expected<std::map<std::string, Verdict>> package_verdicts(Store &store, const std::string &package,
                                                                const Rebuild &rebuild,
                                                                const DeclarationOf &declaration_of) {
  llvm::Expected<std::vector<Tag>> tags = store.tags(package);
  if (!tags)
    return tags.takeError();
  std::optional<std::string> recorded_inputs;
  for (const Tag &tag : *tags)
    if (tag.key == "inputs" && tag.source == "inputs")
      recorded_inputs = tag.value;
  std::map<std::string, Verdict> out;
  for (const Tag &tag : *tags)
    out[tag.key] = tag_verdict(tag, rebuild, recorded_inputs, declaration_of);
  return out;
}

struct Walk {
  std::map<std::string, Rebuild> rebuilds;                  // every package of the order
  std::map<std::string, std::map<std::string, Verdict>> verdicts; // of the rebuilt ones
  std::map<std::string, std::vector<PredictedBreakage>> found;    // by holder, each lock once
};

// Goes over the order once: a package's locks on what changes decide
// whether it is rebuilt. Returns whether anything became more certain.
llvm::Expected<bool> walk_once(Store &store, const RebuildOrder &order, const std::set<std::string> &planned,
                               const DeclarationOf &declaration_of, Walk &walk) {
  bool changed = false;
  for (const std::string &package : order.order) {
    Rebuild &rebuild = walk.rebuilds[package];
    std::vector<PredictedBreakage> found;
    llvm::Expected<std::vector<Lock>> locks = store.locks(package);
    if (!locks)
      return locks.takeError();
    Certainty most = Certainty::None;
    for (Lock &lock : *locks) {
      auto dependency = walk.verdicts.find(lock.dependency);
      if (dependency == walk.verdicts.end() || !dependency->second.count(lock.key))
        continue;
      const Verdict &verdict = dependency->second.at(lock.key);
      if (verdict.certainty == Certainty::None)
        continue;
      most = std::max(most, verdict.certainty);
      found.push_back({std::move(lock), verdict.declaration, verdict.reason});
    }
    // A planned package is rebuilt anyway: what changes below it only
    // weakens what its fingerprint proves.
    Certainty &raised = planned.count(package) ? rebuild.below : rebuild.certainty;
    bool more_certain = most > raised;
    if (more_certain)
      raised = most;
    if (!planned.count(package))
      walk.found[package] = std::move(found);
    changed |= more_certain;
    if (rebuild.certainty != Certainty::None && (more_certain || !walk.verdicts.count(package))) {
      llvm::Expected<std::map<std::string, Verdict>> verdicts =
          package_verdicts(store, package, rebuild, declaration_of);
      if (!verdicts)
        return verdicts.takeError();
      walk.verdicts[package] = std::move(*verdicts);
    }
  }
  return changed;
}

// Keeps of ORDER only the packages in KEEP.
RebuildOrder only(const RebuildOrder &order, const std::set<std::string> &keep) {
  RebuildOrder out;
  for (const std::string &package : order.order)
    if (keep.count(package))
      out.order.push_back(package);
  for (const auto &cycle : order.cycles) {
    std::vector<std::string> members;
    for (const std::string &package : cycle)
      if (keep.count(package))
        members.push_back(package);
    if (members.size() > 1)
      out.cycles.push_back(members);
  }
  return out;
}

} // namespace

llvm::Expected<PlanReport> plan(Store &store, const std::vector<PlannedRebuild> &planned,
                                const DeclarationOf &declaration_of) {
  Walk walk;
  std::set<std::string> seeds;
  for (const PlannedRebuild &each : planned) {
    llvm::Expected<bool> known = store.knows(each.package);
    if (!known)
      return known.takeError();
    if (!*known)
      return make_error(each.package + ": not in the store " + store.path());
    seeds.insert(each.package);
    walk.rebuilds[each.package] = {Certainty::Will, each.fingerprint, true};
  }
  llvm::Expected<RebuildOrder> order = rebuild_from(store, seeds);
  if (!order)
    return order.takeError();
  // A cycle can make a package more certain after its dependants were
  // seen: go over the order again until nothing changes.
  for (;;) {
    llvm::Expected<bool> changed = walk_once(store, *order, seeds, declaration_of, walk);
    if (!changed)
      return changed.takeError();
    if (!*changed)
      break;
  }
  PlanReport report;
  std::set<std::string> rebuilt;
  for (const std::string &package : order->order)
    for (PredictedBreakage &breakage : walk.found[package]) {
      rebuilt.insert(package);
      bool will = walk.verdicts.count(breakage.lock.dependency) &&
                  walk.verdicts[breakage.lock.dependency][breakage.lock.key].certainty == Certainty::Will;
      (will ? report.will_break : report.may_break).push_back(std::move(breakage));
    }
  report.rebuild = only(*order, rebuilt);
  return report;
}

std::string declaration_name(RebuildChange change) {
  switch (change) {
  case RebuildChange::Always: return "always";
  case RebuildChange::WithInputs: return "with-inputs";
  case RebuildChange::WithCompiler: return "with-compiler";
  case RebuildChange::NotByRebuild: return "not-by-rebuild";
  }
  return "always";
}

std::string describe(const PredictedBreakage &breakage) {
  const Lock &lock = breakage.lock;
  return lock.package + ": " + lock.dependency + " " + lock.key + " locked " + lock.value + " (" + breakage.reason +
         ")";
}

nlohmann::ordered_json to_json(const PlanReport &report) {
  nlohmann::ordered_json out;
  auto entries = [](const std::vector<PredictedBreakage> &list) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const PredictedBreakage &breakage : list)
      array.push_back({{"package", breakage.lock.package},
                       {"dependency", breakage.lock.dependency},
                       {"key", breakage.lock.key},
                       {"locked", breakage.lock.value},
                       {"declaration", declaration_name(breakage.declaration)},
                       {"reason", breakage.reason}});
    return array;
  };
  out["will_break"] = entries(report.will_break);
  out["may_break"] = entries(report.may_break);
  out["rebuild"] = report.rebuild.order;
  out["cycles"] = report.rebuild.cycles;
  return out;
}

} // namespace abitag::tagger
