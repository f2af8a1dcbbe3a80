// SPDX-License-Identifier: MIT
// What of a plan the store lacks, writing it, and showing it.
#include <map>
#include <set>
#include <tuple>

#include "adopt/adopt.h"
#include "adopt/locks.h"

namespace abitag::adopt {
namespace {

using LockKey = std::tuple<std::string, std::string, std::string>; // package, dependency, key

// Keys whose every lock adopting can see in the files: one it no longer
// derives is gone. A cxxabi lock may also be an exlib's (a header-only
// dependency): it goes only with the sonames lock beside it (the link
// itself is gone).
bool seen_whole(const std::string &key) {
  return key == kSonamesKey || key == "ghc" || key.compare(0, 4, "ghc:") == 0 || key == "sbcl" || key == "kmod" ||
         key == "qt" || key == "ocaml" || key == "perl" || key == "python";
}

// The recorded locks of PLAN's packages that are no longer true.
std::vector<DroppedLock> dropped_locks(const Plan &plan, const std::vector<tagger::Lock> &recorded) {
  std::set<LockKey> planned;
  std::set<std::pair<std::string, std::string>> per_unit; // package, dependency of a planned ghc:NAME lock
  for (const tagger::Lock &lock : plan.locks) {
    planned.insert({lock.package, lock.dependency, lock.key});
    if (lock.key.compare(0, 4, "ghc:") == 0)
      per_unit.insert({lock.package, lock.dependency});
  }
  std::vector<DroppedLock> out;
  std::set<std::pair<std::string, std::string>> unlinked; // sonames locks dropped
  for (int pass = 0; pass < 2; ++pass) // cxxabi after the sonames beside it
    for (const tagger::Lock &lock : recorded) {
      if (!plan.adopted.count(lock.package) || (lock.key == "cxxabi") != (pass == 1))
        continue;
      if (!plan.installed.count(lock.dependency)) {
        out.push_back({lock, lock.dependency + " is no longer installed"});
        continue;
      }
      // A lock on the plain ghc key from before the tags per unit, on a
      // dependency the package is now locked on unit by unit: those take
      // its place, whether the package was named or not.
      if (lock.key == "ghc" && per_unit.count({lock.package, lock.dependency})) {
        out.push_back({lock, "replaced by its locks on " + lock.dependency + "'s units (ghc:NAME)"});
        continue;
      }
      if (!plan.named.count(lock.package) || planned.count({lock.package, lock.dependency, lock.key}))
        continue;
      if (seen_whole(lock.key) || unlinked.count({lock.package, lock.dependency})) {
        out.push_back({lock, "its files no longer need " + lock.dependency + "'s " + lock.key});
        if (lock.key == kSonamesKey)
          unlinked.insert({lock.package, lock.dependency});
      }
    }
  return out;
}

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
  out.dropped = dropped_locks(plan, *locks);
  return out;
}

llvm::Error record(const Changes &changes, tagger::Store &store) {
  for (const tagger::Tag &tag : changes.tags)
    if (llvm::Error e = store.set_tag(tag))
      return e;
  for (const tagger::Lock &lock : changes.locks)
    if (llvm::Error e = store.set_lock(lock))
      return e;
  for (const DroppedLock &dropped : changes.dropped)
    if (llvm::Error e = store.drop_lock(dropped.lock.package, dropped.lock.dependency, dropped.lock.key))
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
  out["dropped_locks"] = nlohmann::ordered_json::array();
  for (const DroppedLock &dropped : changes.dropped)
    out["dropped_locks"].push_back({{"package", dropped.lock.package},
                                    {"dependency", dropped.lock.dependency},
                                    {"key", dropped.lock.key},
                                    {"value", dropped.lock.value},
                                    {"reason", dropped.reason}});
  out["unchanged_tags"] = changes.unchanged_tags;
  out["kept_locks"] = changes.kept_locks;
  out["skipped"] = nlohmann::ordered_json::array();
  for (const InputError &problem : plan.problems)
    out["skipped"].push_back({{"package", problem.path}, {"reason", problem.reason}});
  out["left_out"] = nlohmann::ordered_json::object();
  for (const auto &[package, files] : plan.left_out)
    for (const LeftOut &left : files)
      out["left_out"][package].push_back({{"path", left.path}, {"analyzer", left.analyzer}, {"reason", left.reason}});
  return out;
}

std::string left_out_text(const Plan &plan) {
  std::string out;
  for (const auto &[package, files] : plan.left_out)
    for (const LeftOut &left : files)
      out += package + ": " + left.path + ": left out by " + left.analyzer + ": " + left.reason + "\n";
  return out;
}

std::string dropped_text(const Changes &changes) {
  std::string out;
  for (const DroppedLock &dropped : changes.dropped) {
    const tagger::Lock &lock = dropped.lock;
    out += "drop " + lock.package + " " + lock.dependency + " " + lock.key + " " + lock.value + ": " + dropped.reason + "\n";
  }
  return out;
}

std::string to_text(const Changes &changes) {
  std::string out;
  for (const tagger::Tag &tag : changes.tags)
    out += "tag " + tag.package + " " + tag.key + " " + tag.value + "\n";
  for (const tagger::Lock &lock : changes.locks)
    out += "lock " + lock.package + " " + lock.dependency + " " + lock.key + " " + lock.value + "\n";
  out += dropped_text(changes);
  return out;
}

} // namespace abitag::adopt
