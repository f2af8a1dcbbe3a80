// SPDX-License-Identifier: MIT
#include "preview/tags.h"

#include <algorithm>
#include <optional>
#include <set>

#include "adopt/adopt.h"
#include "analyzers/registry.h"
#include "audit/tag_rerun.h"
#include "fingerprint/analyzer.h"
#include "fingerprint/discover.h"
#include "packages/store_ids.h"

namespace abitag::preview {
namespace {

using audit::Finding;

// The store's tags and locks, in one read transaction; none without a store.
struct Recorded {
  std::vector<tagger::Tag> tags;
  std::vector<tagger::Lock> locks;
};

llvm::Expected<Recorded> read_recorded(const std::string &host) {
  llvm::Expected<std::unique_ptr<tagger::Store>> store = tagger::Store::open_untouched(host);
  if (!store)
    return store.takeError();
  if (llvm::Error e = (*store)->begin_read())
    return e;
  Recorded out;
  auto tags = (*store)->tags();
  if (!tags)
    return tags.takeError();
  auto locks = (*store)->locks();
  if (!locks)
    return locks.takeError();
  out.tags = std::move(*tags);
  out.locks = std::move(*locks);
  return out;
}

// The image's files adopting PACKAGE would read: all of them when it
// replaces one package, else those PACKAGE owns now.
std::vector<std::pair<std::string, std::string>> files_for(const Overlay &overlay, const packages::Package &package,
                                                           bool only_one, const packages::OwnerIndex &index) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto &[path, entry] : overlay.entries()) {
    if (entry.link)
      continue;
    std::vector<const packages::Package *> owners = index.owners(path);
    if (only_one || std::find(owners.begin(), owners.end(), &package) != owners.end())
      out.emplace_back(path, entry.host);
  }
  return out;
}

// A lock on TAG that the image's value (none: the image makes no such tag) leaves stale.
Finding stale_lock(const tagger::Lock &lock, const std::string *image_value) {
  std::string now = image_value ? "the image's is " + *image_value : "the image makes no such tag";
  Finding f{audit::Severity::AtRisk, kTags, "stale-lock", lock.package,
            "locked on " + lock.dependency + "'s " + lock.key + "=" + lock.value + "; " + now,
            {lock.package + " (store id), once the image is merged"}};
  f.details = {{"package", lock.package},
               {"dependency", lock.dependency},
               {"key", lock.key},
               {"locked", lock.value},
               {"image", image_value ? nlohmann::ordered_json(*image_value) : nlohmann::ordered_json()}};
  return f;
}

// The image's value of the recorded TAG: its analyzer run again as it was
// recorded, on its paths in the view (the exlib's abitag_tag and adopt
// record them). Where that cannot run (a path gone from the view) and TAG
// is one adopting makes (its options are adoption's, or it has none: the
// sonames tag), the value adopting the image's files makes under the same
// key (IMAGE_TAGS), or none when it makes none. Else the tag cannot be
// compared: WHY_NOT says why.
std::optional<std::string> image_value(const tagger::Tag &tag, const Overlay &overlay,
                                       const std::vector<tagger::Tag> &image_tags, std::string &why_not) {
  if (tag.arguments) {
    audit::Rerun again = audit::rerun(tag, overlay.root(), &overlay);
    if (again.value)
      return again.value;
    std::unique_ptr<Analyzer> analyzer = builtin_registry().create(tag.source);
    if (!analyzer || analyzer->adoption_options() != tag.arguments->options) {
      why_not = again.why_not;
      return std::nullopt;
    }
  }
  auto made = std::find_if(image_tags.begin(), image_tags.end(), [&](const tagger::Tag &t) { return t.key == tag.key; });
  if (made == image_tags.end())
    return std::nullopt;
  return made->value;
}

// The findings of one replaced package of store id ID: a recorded tag an
// analyzer made that the image changes, with every lock held on it.
void compare(const std::string &id, const Overlay &overlay, const std::vector<tagger::Tag> &image_tags,
             const Recorded &recorded, PreviewReport &out) {
  audit::SectionReport &section = out.report.sections[2];
  for (const tagger::Tag &tag : recorded.tags) {
    if (tag.package != id || tag.source == "manual") // a recipe's own tag: no analyzer makes it again
      continue;
    std::string why_not;
    std::optional<std::string> value = image_value(tag, overlay, image_tags, why_not);
    if (!why_not.empty()) {
      section.findings.push_back({audit::Severity::Informational, kTags, "not-compared", id,
                                  "its tag " + tag.key + " cannot be computed again on the image: " + why_not, {}});
      continue;
    }
    if (value && *value == tag.value)
      continue;
    for (const tagger::Lock &lock : recorded.locks)
      if (lock.dependency == id && lock.key == tag.key && lock.value == tag.value) {
        section.findings.push_back(stale_lock(lock, value ? &*value : nullptr));
        if (std::find(out.stale_packages.begin(), out.stale_packages.end(), lock.package) == out.stale_packages.end())
          out.stale_packages.push_back(lock.package);
      }
  }
}

} // namespace

llvm::Error stale_tags(const PreviewOptions &options, const Overlay &overlay,
                       const std::vector<const packages::Package *> &replaced, packages::InstalledPackages &installed,
                       PreviewReport &out) {
  if (replaced.empty())
    return llvm::Error::success();
  auto host = resolve_under_root(overlay.root(), options.tag_store);
  if (!host) { // no store: nothing is locked
    llvm::consumeError(host.takeError());
    return llvm::Error::success();
  }
  audit::SectionReport &section = out.report.sections[2];
  auto recorded = read_recorded(*host);
  if (!recorded) {
    section.findings.push_back({audit::Severity::Informational, kTags, "unusable-store", options.tag_store,
                                "tags not compared: the tag store cannot be read: " + to_message(recorded.takeError()),
                                {}});
    return llvm::Error::success();
  }
  for (const packages::Package *package : replaced) {
    std::string id = adopt::store_id(package->id);
    auto image_tags = adopt::tags_of_files(overlay.root(), id,
                                           files_for(overlay, *package, replaced.size() == 1, installed.index()));
    if (!image_tags) {
      section.findings.push_back({audit::Severity::Informational, kTags, "not-tagged", id,
                                  "the image's tags not computed: " + to_message(image_tags.takeError()), {}});
      continue;
    }
    compare(id, overlay, *image_tags, *recorded, out);
  }
  std::sort(out.stale_packages.begin(), out.stale_packages.end());
  for (const std::string &id : out.stale_packages)
    for (const packages::Package *package : packages::packages_for_id(installed.index(), id))
      out.stale_installed.push_back(package->id);
  return llvm::Error::success();
}

} // namespace abitag::preview
