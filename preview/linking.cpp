// SPDX-License-Identifier: MIT
#include "preview/linking.h"

#include <algorithm>
#include <set>

#include "audit/dual_abi.h"
#include "elf/demangle.h"
#include "preview/preview.h"

namespace abitag::preview {
namespace {

using audit::Finding;
using audit::Severity;

constexpr std::size_t kSymbolsInReason = 3;

// "a, b, c, ..." of the first few symbols, demangled.
std::string some_symbols(const std::vector<audit::DynamicSymbol> &symbols) {
  std::string out;
  for (std::size_t i = 0; i < symbols.size() && i < kSymbolsInReason; ++i)
    out += (i ? ", " : "") + elf::demangle(symbols[i].name) +
           (symbols[i].version.empty() ? "" : "@" + symbols[i].version);
  return symbols.size() > kSymbolsInReason ? out + ", ..." : out;
}

nlohmann::ordered_json symbols_json(const std::vector<audit::DynamicSymbol> &symbols) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const audit::DynamicSymbol &symbol : symbols)
    out.push_back({{"name", symbol.name}, {"version", symbol.version}, {"demangled", elf::demangle(symbol.name)}});
  return out;
}

// The entries of AFTER that BEFORE lacks, by KEY.
template <class T, class Key> std::vector<T> added(const std::vector<T> &before, const std::vector<T> &after, Key key) {
  std::set<decltype(key(after.front()))> known;
  for (const T &item : before)
    known.insert(key(item));
  std::vector<T> out;
  for (const T &item : after)
    if (!known.count(key(item)))
      out.push_back(item);
  return out;
}

} // namespace

MergeLinker::MergeLinker(const Overlay &overlay, packages::InstalledPackages &installed, audit::Progress &progress)
    : overlay_(overlay), installed_(installed), now_(overlay.root(), {}, {}, progress, /*census=*/false),
      merged_(overlay.root(), {}, {}, progress, /*census=*/false), now_loader_(now_), merged_loader_(merged_) {
  merged_.set_view(&overlay_);
}

std::string MergeLinker::rebuild_line(const std::string &path) { return installed_.describe(path); }

std::optional<audit::DynamicSymbol> MergeLinker::twin_in(const audit::ElfEntry &library, const std::string &name) {
  std::string neutral = audit::dual_abi_neutral(name);
  if (neutral.empty())
    return std::nullopt;
  auto [slot, fresh] = twins_.try_emplace(&library);
  if (fresh) {
    auto symbols = audit::read_dynamic_symbols(library.host_path);
    if (!symbols)
      llvm::consumeError(symbols.takeError());
    else
      for (std::size_t i = 0; i < symbols->size(); ++i) {
        const elf::Symbol &s = symbols->all()[i];
        if (!s.undefined && !s.local && s.name.startswith("_Z"))
          slot->second.emplace(audit::dual_abi_neutral(std::string_view(s.name.data(), s.name.size())),
                               (*symbols)[i]);
      }
  }
  auto range = slot->second.equal_range(neutral);
  for (auto it = range.first; it != range.second; ++it)
    if (it->second.name != name)
      return it->second;
  return std::nullopt;
}

MergeLinker::Unresolved MergeLinker::explain(const audit::ElfEntry &object, const std::vector<std::size_t> &indexes,
                                             const std::vector<const audit::ElfEntry *> &scope, const char *section) {
  Unresolved out;
  auto symbols = audit::read_dynamic_symbols(object.host_path, indexes);
  if (!symbols) {
    out.dual_abi.push_back({Severity::BrokenNow, section, "unreadable", object.path,
                            "symbols not checked: cannot be read again: " + to_message(symbols.takeError()), {}});
    return out;
  }
  for (const audit::DynamicSymbol &symbol : *symbols) {
    std::optional<audit::DynamicSymbol> twin;
    const audit::ElfEntry *exporter = nullptr;
    for (const audit::ElfEntry *library : scope)
      if (library != &object && (twin = twin_in(*library, symbol.name))) {
        exporter = library;
        break;
      }
    if (!twin) {
      out.plain.push_back(symbol);
      continue;
    }
    audit::StringAbi importer_abi = audit::shown_abi(symbol.name), exporter_abi = audit::shown_abi(twin->name);
    if (importer_abi == audit::StringAbi::Unknown)
      importer_abi = exporter_abi == audit::StringAbi::New ? audit::StringAbi::Old : audit::StringAbi::New;
    if (exporter_abi == audit::StringAbi::Unknown)
      exporter_abi = importer_abi == audit::StringAbi::New ? audit::StringAbi::Old : audit::StringAbi::New;
    Finding f{Severity::BrokenNow, section, "dual-abi-mismatch", object.path,
              "undefined symbol " + elf::demangle(symbol.name) + ": it was built with " +
                  audit::string_abi_name(importer_abi) + ", but " + exporter->path + " exports only " +
                  elf::demangle(twin->name) + ", built with " + audit::string_abi_name(exporter_abi),
              {rebuild_line(object.path) + " against " + exporter->path}};
    f.details = {{"symbol", symbol.name},          {"version", symbol.version},
                 {"exported_instead", twin->name}, {"library", exporter->path},
                 {"importer_abi", importer_abi == audit::StringAbi::New ? "new" : "old"},
                 {"exporter_abi", exporter_abi == audit::StringAbi::New ? "new" : "old"}};
    out.dual_abi.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> MergeLinker::link_image_file(const std::string &host) {
  std::vector<Finding> out;
  std::string why;
  const audit::ElfEntry *object = merged_.entry_at(host, &why);
  std::string path = overlay_.inside(host);
  if (!object) {
    out.push_back({Severity::BrokenNow, kImage, "unreadable", path, "cannot be read: " + why, {}});
    return out;
  }
  if (!object->facts.loadable())
    return out;
  audit::LinkageResult linked = merged_loader_.link(*object);
  std::vector<std::string> rebuild = {"the image's " + path};
  if (!linked.closure.missing_interpreter.empty())
    out.push_back({Severity::BrokenNow, kImage, "missing-interpreter", path,
                   "its program interpreter " + linked.closure.missing_interpreter + " is not there", rebuild});
  for (const audit::MissingLibrary &miss : linked.closure.missing)
    if (miss.needed_by == path) {
      Finding f{Severity::BrokenNow, kImage, "missing-library", path,
                "needs " + miss.name + ", which neither the image nor ROOT has in a folder it is searched in",
                {"install what provides " + miss.name + ", or rebuild the image without it"}};
      f.details = {{"library", miss.name}, {"searched", miss.searched}};
      out.push_back(std::move(f));
    }
  for (const audit::MissingVersion &missing : linked.missing_versions) {
    Finding f{Severity::BrokenNow, kImage, "missing-version", path,
              "needs version " + missing.version + " of " + missing.library + ", which " + missing.library_path +
                  " does not define",
              rebuild};
    f.details = {{"version", missing.version}, {"library", missing.library_path}};
    out.push_back(std::move(f));
  }
  if (!linked.unreadable.empty())
    out.push_back({Severity::BrokenNow, kImage, "unreadable", path,
                   "symbols not checked: cannot read " + linked.unreadable, {}});
  if (linked.unresolved.empty())
    return out;
  Unresolved unresolved = explain(*object, linked.unresolved, linked.closure.scope, kImage);
  std::move(unresolved.dual_abi.begin(), unresolved.dual_abi.end(), std::back_inserter(out));
  if (!unresolved.plain.empty()) {
    // A library's may come from the program that loads it (a plugin's host).
    bool program = object->facts.is_program();
    Finding f{program ? Severity::BrokenNow : Severity::Informational, kImage, "undefined-symbols", path,
              std::to_string(unresolved.plain.size()) + " undefined symbols that nothing it loads defines: " +
                  some_symbols(unresolved.plain) + (program ? "" : " (a plugin's host may define them)"),
              rebuild};
    f.details["symbols"] = symbols_json(unresolved.plain);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> MergeLinker::link_dependant(const std::string &path) {
  std::vector<Finding> out;
  std::string why;
  auto merged_host = overlay_.resolve(path);
  if (!merged_host) {
    llvm::consumeError(merged_host.takeError());
    return out; // taken away or replaced itself: not a dependant
  }
  const audit::ElfEntry *now = now_.entry_at(*merged_host, &why);
  const audit::ElfEntry *merged = merged_.entry_at(*merged_host, &why);
  if (!now || !merged || !now->facts.loadable())
    return out; // what cannot be read now is the audit's to report
  audit::LinkageResult before = now_loader_.link(*now), after = merged_loader_.link(*merged);
  std::vector<std::string> rebuild = {rebuild_line(path)};
  auto missing_key = [](const audit::MissingLibrary &m) { return m.needed_by + "\n" + m.name; };
  for (const audit::MissingLibrary &miss : added(before.closure.missing, after.closure.missing, missing_key))
    if (miss.needed_by == path) {
      Finding f{Severity::BrokenNow, kDependants, "library-taken-away", path,
                "needs " + miss.name + ", which the merge takes away (no file of that name is left in a folder "
                "it is searched in), and with it the symbols it imports from there",
                rebuild};
      f.details = {{"library", miss.name}};
      out.push_back(std::move(f));
    }
  auto version_key = [](const audit::MissingVersion &m) { return m.library + "\n" + m.version; };
  for (const audit::MissingVersion &missing : added(before.missing_versions, after.missing_versions, version_key)) {
    Finding f{Severity::BrokenNow, kDependants, "version-removed", path,
              "needs version " + missing.version + " of " + missing.library + ", which the image's " +
                  missing.library_path + " no longer defines",
              rebuild};
    f.details = {{"version", missing.version}, {"library", missing.library_path}};
    out.push_back(std::move(f));
  }
  std::vector<std::size_t> newly = added(before.unresolved, after.unresolved, [](std::size_t i) { return i; });
  // A library taken away takes its symbols with it: they are that finding's, not more.
  if (newly.empty() || (!out.empty() && out.front().kind == "library-taken-away"))
    return out;
  Unresolved unresolved = explain(*merged, newly, after.closure.scope, kDependants);
  std::move(unresolved.dual_abi.begin(), unresolved.dual_abi.end(), std::back_inserter(out));
  // Nor is a symbol of a version taken away another finding.
  unresolved.plain.erase(std::remove_if(unresolved.plain.begin(), unresolved.plain.end(),
                                        [&](const audit::DynamicSymbol &symbol) {
                                          return std::any_of(out.begin(), out.end(), [&](const Finding &f) {
                                            return f.kind == "version-removed" &&
                                                   f.details.value("version", "") == symbol.version;
                                          });
                                        }),
                         unresolved.plain.end());
  if (!unresolved.plain.empty()) {
    Finding f{Severity::BrokenNow, kDependants, "symbols-removed", path,
              std::to_string(unresolved.plain.size()) + " symbol" + (unresolved.plain.size() > 1 ? "s" : "") +
                  " it imports that the merge removes: " + some_symbols(unresolved.plain),
              rebuild};
    f.details["symbols"] = symbols_json(unresolved.plain);
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace abitag::preview
