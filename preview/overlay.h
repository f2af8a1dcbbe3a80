// SPDX-License-Identifier: MIT
// A package image laid over ROOT as its merge would lay it, as a view
// (audit/root_view.h), nothing copied: the image's files are added, or
// replace ROOT's at the same path, and the files of the packages it
// replaces that it no longer ships are taken away. The image's folders are
// merged into ROOT's under ROOT's top-level links (an image's lib/x lands in
// usr/lib/x on a merged-/usr ROOT), as the package managers merge them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>

#include "audit/root_view.h"
#include "fingerprint/errors.h"
#include "packages/owner_index.h"

namespace abitag::preview {

struct ImageEntry {
  std::string path; // inside ROOT, where the merge puts it
  std::string host; // in the image
  bool link = false;
};

class Overlay final : public audit::RootView {
public:
  // Reads the layout of IMAGE (a folder laid out like ROOT, both canonical
  // paths); ALIASES are ROOT's top-level links. Entries that cannot be read
  // are in problems().
  static Overlay lay(const std::string &root, const std::string &image,
                                     const packages::RootAliases &aliases);

  // Takes PATH (inside ROOT, under its final name) away, unless the image
  // ships it: a file of a replaced package the new build no longer has.
  // Returns whether it was taken away.
  bool take_away(const std::string &path);

  llvm::Expected<std::string> resolve(const std::string &path) const override;
  std::string inside(const std::string &host_path) const override;

  const std::string &root() const { return root_; }
  const std::string &image() const { return image_; }
  // The image's files and links, by their path inside ROOT.
  const std::map<std::string, ImageEntry> &entries() const { return entries_; }
  const std::set<std::string> &taken_away() const { return taken_away_; }
  const std::vector<InputError> &problems() const { return problems_; }

private:
  std::string in_root(const std::string &path) const; // its host path in ROOT
  void add_tree(const std::string &host_folder, const std::string &inside, const packages::RootAliases &aliases);

  std::string root_, image_;
  std::map<std::string, ImageEntry> entries_;
  std::set<std::string> folders_;     // the image's folders, inside ROOT
  std::map<std::string, std::string> by_host_; // host path in the image -> path inside ROOT
  std::set<std::string> taken_away_;
  std::vector<InputError> problems_;
};

} // namespace abitag::preview
