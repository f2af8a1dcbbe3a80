// SPDX-License-Identifier: MIT
// What of a plan the store lacks, writing it, and showing it.
#include <map>
#include <tuple>

#include "adopt/adopt.h"

namespace abitag::adopt {
namespace {

using LockKey = std::tuple<std::string, std::string, std::string>; // package, dependency, key

} // namespace

llvm::Expected<Changes> changes(const Plan &plan, tagger::Store &store) {
  llvm::Expected<std::vector<tagger::Tag>> tags = store.tags();
  if (!tags)
    return tags.takeError();
  llvm::Expected<std::vector<tagger::Lock>> locks = store.locks();
  if (!locks)
    return locks.takeError();
  std::map<std::pair<std::string, std::string>, const tagger::Tag *> recorded_tags;
  for (const tagger::Tag &tag : *tags)
    recorded_tags[{tag.package, tag.key}] = &tag;
  std::map<LockKey, std::string> recorded_locks;
  for (const tagger::Lock &lock : *locks)
    recorded_locks[{lock.package, lock.dependency, lock.key}] = lock.value;

  Changes out;
  for (const tagger::Tag &tag : plan.tags) {
    auto found = recorded_tags.find({tag.package, tag.key});
    if (found != recorded_tags.end() && found->second->value == tag.value && found->second->source == tag.source &&
        found->second->arguments == tag.arguments)
      ++out.unchanged_tags;
    else
      out.tags.push_back(tag);
  }
  // A lock says what its package was built against: only a package named
  // (just built) is locked anew; the others keep what they hold, so a
  // provider rebuilt meanwhile shows as stale.
  for (const tagger::Lock &lock : plan.locks) {
    auto found = recorded_locks.find({lock.package, lock.dependency, lock.key});
    if (found == recorded_locks.end() || (plan.named.count(lock.package) && found->second != lock.value))
      out.locks.push_back(lock);
    else
      ++out.kept_locks;
  }
  return out;
}

llvm::Error record(const Changes &changes, tagger::Store &store) {
  for (const tagger::Tag &tag : changes.tags)
    if (llvm::Error e = store.set_tag(tag))
      return e;
  for (const tagger::Lock &lock : changes.locks)
    if (llvm::Error e = store.set_lock(lock))
      return e;
  return llvm::Error::success();
}

nlohmann::ordered_json to_json(const Plan &plan, const Changes &changes, bool dry_run) {
  nlohmann::ordered_json out;
  out["dry_run"] = dry_run;
  out["adopted"] = plan.adopted;
  out["tags"] = nlohmann::ordered_json::array();
  for (const tagger::Tag &tag : changes.tags)
    out["tags"].push_back({{"package", tag.package}, {"key", tag.key}, {"value", tag.value}, {"source", tag.source}});
  out["locks"] = nlohmann::ordered_json::array();
  for (const tagger::Lock &lock : changes.locks)
    out["locks"].push_back(
        {{"package", lock.package}, {"dependency", lock.dependency}, {"key", lock.key}, {"value", lock.value}});
  out["unchanged_tags"] = changes.unchanged_tags;
  out["kept_locks"] = changes.kept_locks;
  out["skipped"] = nlohmann::ordered_json::array();
  for (const InputError &problem : plan.problems)
    out["skipped"].push_back({{"package", problem.path}, {"reason", problem.reason}});
  return out;
}

std::string to_text(const Changes &changes) {
  std::string out;
  for (const tagger::Tag &tag : changes.tags)
    out += "tag " + tag.package + " " + tag.key + " " + tag.value + "\n";
  for (const tagger::Lock &lock : changes.locks)
    out += "lock " + lock.package + " " + lock.dependency + " " + lock.key + " " + lock.value + "\n";
  return out;
}

} // namespace abitag::adopt
