// SPDX-License-Identifier: MIT
// The recorded-tags section: the tag store under ROOT (abitag tag/lock/check)
// read without touching it, its stale locks as `abitag check` finds them, and
// every analyzer-made tag computed again from the installed files.
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "analyzers/registry.h"
#include "audit/section.h"
#include "audit/tag_rerun.h"
#include "fingerprint/analyzer.h"
#include "fingerprint/discover.h"
#include "fingerprint/paths.h"
#include "tagger/analyzer_arguments.h"
#include "tagger/check.h"

namespace abitag::audit {
namespace {

using tagger::Store;


// Everything read from the store, in one read transaction.
struct StoreContents {
  tagger::CheckReport check;
  std::vector<tagger::Tag> tags;
  std::vector<tagger::Lock> locks;
};

llvm::Expected<StoreContents> read_store(Store &store) {
  if (llvm::Error e = store.begin_read())
    return e;
  // Damage in pages the queries below never read (an index) still counts.
  if (llvm::Error e = store.verify())
    return e;
  StoreContents out;
  llvm::Expected<tagger::CheckReport> check = tagger::check(store, {});
  if (!check)
    return check.takeError();
  out.check = std::move(*check);
  llvm::Expected<std::vector<tagger::Tag>> tags = store.tags();
  if (!tags)
    return tags.takeError();
  out.tags = std::move(*tags);
  llvm::Expected<std::vector<tagger::Lock>> locks = store.locks();
  if (!locks)
    return locks.takeError();
  out.locks = std::move(*locks);
  return out;
}

class TagsSection final : public AuditSection {
public:
  std::string_view name() const override { return "tags"; }
  std::string_view description() const override {
    return "the tag store under ROOT: stale locks as abitag check, recorded analyzer values run again";
  }

  SectionReport run(AuditContext &context) override {
    SectionReport out;
    const std::string &inside = context.tag_store();
    out.summary["store"] = inside;
    llvm::Expected<std::string> host = resolve_under_root(context.root(), inside);
    if (!host) {
      std::string reason = to_message(host.takeError());
      if (reason.rfind(std::strerror(ENOENT), 0) != 0) {
        // There may be a store that cannot be reached (a folder not
        // readable, a link loop): say so rather than "no store".
        out.findings.push_back({Severity::AtRisk, "tags", "unusable-store", inside,
                                "the tag store cannot be reached: " + reason, {}, nlohmann::ordered_json::object()});
      }
      out.summary["found"] = false;
      out.summary_lines.push_back("no tag store at " + inside);
      return out;
    }
    out.summary["found"] = true;
    // Errors read "HOST: reason"; the report names the store inside ROOT.
    auto unusable = [&](llvm::Error error) {
      std::string reason = to_message(std::move(error));
      if (reason.rfind(*host + ": ", 0) == 0)
        reason.erase(0, host->size() + 2);
      out.findings.push_back({Severity::AtRisk, "tags", "unusable-store", inside,
                              "the tag store cannot be read: " + reason, {}, nlohmann::ordered_json::object()});
      out.summary_lines.push_back("tag store " + inside + " unusable: " + reason);
      return std::move(out);
    };
    llvm::Expected<std::unique_ptr<Store>> store = Store::open_untouched(*host);
    if (!store)
      return unusable(store.takeError());
    llvm::Expected<StoreContents> contents = read_store(**store);
    if (!contents)
      return unusable(contents.takeError());
    if (llvm::Error e = report_stale(**store, *contents, inside, out))
      return unusable(std::move(e));
    if (llvm::Error e = report_reruns(**store, *contents, context.root(), out))
      return unusable(std::move(e));
    out.summary["schema"] = (*store)->schema_version();
    return out;
  }

private:
  // What to rebuild once SEEDS are rebuilt, memoised per seed set.
  llvm::Expected<std::vector<std::string>> rebuild(Store &store, const std::set<std::string> &seeds) {
    auto found = rebuilds_.find(seeds);
    if (found != rebuilds_.end())
      return found->second;
    llvm::Expected<tagger::RebuildOrder> order = tagger::rebuild_from(store, seeds);
    if (!order)
      return order.takeError();
    return rebuilds_[seeds] = order->order;
  }

  // Every stale lock is broken now: the dependant was built against a value
  // its dependency no longer has, which is exactly what `abitag check` reports.
  llvm::Error report_stale(Store &store, const StoreContents &contents, const std::string &inside,
                           SectionReport &out) {
    for (const tagger::StaleLock &stale : contents.check.stale) {
      llvm::Expected<std::vector<std::string>> order = rebuild(store, {stale.lock.package});
      if (!order)
        return order.takeError();
      nlohmann::ordered_json details = {{"package", stale.lock.package},
                                        {"dependency", stale.lock.dependency},
                                        {"key", stale.lock.key},
                                        {"locked", stale.lock.value},
                                        {"current", stale.current ? nlohmann::ordered_json(*stale.current)
                                                                  : nlohmann::ordered_json(nullptr)}};
      out.findings.push_back({Severity::BrokenNow, "tags", "stale-lock", inside,
                              "stale lock: " + tagger::describe(stale), *order, std::move(details)});
    }
    std::set<std::string> packages;
    for (const tagger::Tag &tag : contents.tags)
      packages.insert(tag.package);
    for (const tagger::Lock &lock : contents.locks)
      packages.insert(lock.package);
    out.summary_lines.push_back("tag store " + inside + ": " + std::to_string(packages.size()) + " packages, " +
                                std::to_string(contents.tags.size()) + " tags, " +
                                std::to_string(contents.locks.size()) + " locks, " +
                                std::to_string(contents.check.stale.size()) + " stale");
    if (!contents.check.rebuild.order.empty()) {
      std::string line = "rebuild, dependencies first:";
      for (const std::string &package : contents.check.rebuild.order)
        line += " " + package;
      out.summary_lines.push_back(line);
    }
    for (const auto &cycle : contents.check.rebuild.cycles) {
      std::string line = "cycle:";
      for (const std::string &package : cycle)
        line += " " + package;
      out.summary_lines.push_back(line);
    }
    out.summary["packages"] = packages.size();
    out.summary["tags"] = contents.tags.size();
    out.summary["locks"] = contents.locks.size();
    out.summary["stale_locks"] = contents.check.stale.size();
    out.summary["rebuild"] = contents.check.rebuild.order;
    out.summary["cycles"] = contents.check.rebuild.cycles;
    return llvm::Error::success();
  }

  // A recorded value the installed files no longer give is "at risk", not
  // "broken now": nothing is stale yet, since every lock still matches the
  // recorded value, and whether the change breaks anything at load time is for
  // the loaders' sections (linkage, ghc) to say. It predicts the next check:
  // once the package is tagged again, every lock on the old value goes stale,
  // so those dependants are what to rebuild.
  llvm::Error report_reruns(Store &store, const StoreContents &contents, const std::string &root,
                            SectionReport &out) {
    std::size_t manual = 0, without = 0, equal = 0, changed = 0, not_run = 0;
    for (const tagger::Tag &tag : contents.tags) {
      if (tag.source == "manual") {
        ++manual; // `abitag set`: nothing to run
        continue;
      }
      if (!tag.arguments) {
        ++without; // recorded before the store kept arguments (schema 3)
        continue;
      }
      std::string file = tag.arguments->paths.empty() ? tag.package : tag.arguments->paths.front();
      nlohmann::ordered_json details = {{"package", tag.package},   {"key", tag.key},
                                        {"analyzer", tag.source},   {"recorded", tag.value},
                                        {"options", tag.arguments->options}, {"paths", tag.arguments->paths}};
      Rerun result = rerun(tag, root);
      if (!result.value) {
        ++not_run;
        details["why"] = result.why_not;
        out.findings.push_back({Severity::Informational, "tags", "tag-not-rerun", file,
                                tag.package + " " + tag.key + " cannot be computed again here: " + result.why_not,
                                {}, std::move(details)});
        continue;
      }
      if (*result.value == tag.value) {
        ++equal;
        continue;
      }
      ++changed;
      std::set<std::string> seeds;
      for (const tagger::Lock &lock : contents.locks)
        if (lock.dependency == tag.package && lock.key == tag.key && lock.value == tag.value)
          seeds.insert(lock.package);
      llvm::Expected<std::vector<std::string>> order = rebuild(store, seeds);
      if (!order)
        return order.takeError();
      details["now"] = *result.value;
      details["locked_by"] = seeds;
      out.findings.push_back({Severity::AtRisk, "tags", "tag-changed", file,
                              tag.package + " " + tag.key + " recorded " + tag.value +
                                  ", the installed files now give " + *result.value +
                                  (seeds.empty() ? "" : "; its dependants' locks go stale when it is tagged again"),
                              seeds.empty() ? std::vector<std::string>{} : *order, std::move(details)});
    }
    out.summary_lines.push_back("recorded values run again: " + std::to_string(equal) + " equal, " +
                                std::to_string(changed) + " changed, " + std::to_string(not_run) +
                                " could not run; not run: " + std::to_string(manual) + " manual, " +
                                std::to_string(without) + " recorded without arguments");
    out.summary["rerun"] = {{"equal", equal}, {"changed", changed}, {"not_run", not_run},
                            {"manual", manual}, {"without_arguments", without}};
    return llvm::Error::success();
  }

  std::map<std::set<std::string>, std::vector<std::string>> rebuilds_;
};

} // namespace

std::unique_ptr<AuditSection> make_tags_section() { return std::make_unique<TagsSection>(); }

} // namespace abitag::audit
