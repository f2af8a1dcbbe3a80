// SPDX-License-Identifier: MIT
// abitag qt --check: the library each user of the private API would load,
// and whether it is still the Qt the user was built against.
#include <sys/stat.h>

#include "analyzers/qt/qt.h"
#include "fingerprint/discover.h"
#include "fingerprint/ld_so_conf.h"
#include "fingerprint/paths.h"

namespace abitag::qt {
namespace {

// $ORIGIN and ${ORIGIN} in ENTRY replaced by ORIGIN; empty when another
// token ($LIB, $PLATFORM) is left, which this simple search does not know.
std::string expand_origin(std::string entry, const std::string &origin) {
  for (const std::string token : {"${ORIGIN}", "$ORIGIN"})
    for (std::size_t at = entry.find(token); at != std::string::npos; at = entry.find(token, at + origin.size()))
      entry.replace(at, token.size(), origin);
  return entry.find('$') == std::string::npos ? entry : std::string();
}

std::vector<std::string> search_dirs(const QtFile &user, const std::string &origin, const std::string &root,
                                     const std::vector<std::string> &conf_dirs) {
  std::vector<std::string> dirs;
  for (const std::string &entry : user.search_paths)
    if (std::string dir = expand_origin(entry, origin); !dir.empty() && dir[0] == '/')
      dirs.push_back(dir);
  dirs.insert(dirs.end(), conf_dirs.begin(), conf_dirs.end());
  std::vector<std::string> defaults = default_library_dirs(root, user.machine, user.elf_class);
  dirs.insert(dirs.end(), defaults.begin(), defaults.end());
  return dirs;
}

// The private symbols USE imports that PROVIDER does not define under its tag.
std::vector<std::string> missing_symbols(const PrivateUse &use, const Provider &provider) {
  std::vector<std::string> missing;
  for (const ImportedSymbol &symbol : use.symbols)
    if (!symbol.weak && !provider.exports.count(symbol.name + "\t" + use.tag))
      missing.push_back(symbol.name);
  return missing;
}

} // namespace

// The finding for one private use whose provider was found and read.
std::optional<Finding> check_private_use(const QtFile &user, const PrivateUse &use, const Provider &provider) {
  const QtFile &lib = *provider.file;
  Finding f{Severity::Broken, Problem::MissingVersion, use.library, use.tag, provider.path, built_against(user, use),
            provided_version(lib), {}};
  std::string where = use.library + " (" + provider.path + ")";
  if (std::find(lib.private_tags.begin(), lib.private_tags.end(), use.tag) == lib.private_tags.end()) {
    f.detail = "needs version " + use.tag + " of " + where + ", which does not define it" +
               (lib.private_tags.empty() ? std::string() : " (it defines " + lib.private_tags.front() + ")");
    return f;
  }
  if (std::vector<std::string> missing = missing_symbols(use, provider); !missing.empty()) {
    f.problem = Problem::MissingSymbol;
    f.detail = "undefined symbol: " + missing.front() + ", version " + use.tag + " in " + where +
               (missing.size() > 1 ? " (and " + std::to_string(missing.size() - 1) + " more)" : std::string());
    return f;
  }
  if (f.built_against.version && f.installed.version) {
    if (*f.built_against.version == *f.installed.version)
      return std::nullopt;
    f.problem = Problem::VersionDiffers;
    f.detail = "built against " + f.built_against.described() + ", but " + where + " is " + f.installed.described();
    return f;
  }
  f.severity = Severity::AtRisk;
  f.problem = Problem::VersionUnknown;
  f.detail = f.built_against.version
                 ? "built against " + f.built_against.described() + ", but the Qt version of " + where + " is unknown"
                 : "built against an unknown Qt version; " + where + " is " + f.installed.described();
  return f;
}

const char *severity_name(Severity severity) { return severity == Severity::Broken ? "broken" : "at risk"; }

ProviderLookup::ProviderLookup(std::string root) : root_(std::move(root)), conf_dirs_(read_ld_so_conf(root_)) {}

// The provider at INSIDE (a path inside the root), read once; null when
// nothing is there or it is for another machine or class.
const Provider *ProviderLookup::read_candidate(const QtFile &user, const std::string &inside) {
  auto cached = by_path_.find(inside);
  if (cached == by_path_.end()) {
    auto provider = std::make_unique<Provider>();
    llvm::Expected<std::string> host = resolve_under_root(root_, inside);
    struct stat st;
    if (!host) {
      llvm::consumeError(host.takeError());
      provider.reset();
    } else if (::stat(host->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      provider.reset();
    } else {
      provider->path = path_inside_root(root_, *host); // the real file, links resolved
      llvm::Expected<QtFile> file = read_qt_file(*host);
      if (!file) {
        provider->problem = to_message(file.takeError());
      } else {
        provider->exports.insert(file->private_exports.begin(), file->private_exports.end());
        provider->file = std::move(*file);
      }
    }
    cached = by_path_.emplace(inside, std::move(provider)).first;
  }
  const Provider *provider = cached->second.get();
  if (provider && provider->file &&
      (provider->file->machine != user.machine || provider->file->elf_class != user.elf_class))
    return nullptr; // ld.so skips it and searches on
  return provider;
}

const Provider &ProviderLookup::find(const QtFile &user, const std::string &origin, const std::string &soname) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const std::string &dir : search_dirs(user, origin, root_, conf_dirs_))
    if (const Provider *provider = read_candidate(user, join_path(dir, soname)))
      return *provider;
  return missing_;
}

std::vector<Finding> check_private_uses(const QtFile &user, const std::string &origin, ProviderLookup &lookup) {
  std::vector<Finding> out;
  for (const PrivateUse &use : user.private_uses) {
    const Provider &provider = lookup.find(user, origin, use.library);
    if (provider.file) {
      if (std::optional<Finding> f = check_private_use(user, use, provider))
        out.push_back(std::move(*f));
      continue;
    }
    Finding f{Severity::AtRisk, provider.path.empty() ? Problem::NotFound : Problem::Unreadable, use.library, use.tag,
              provider.path, built_against(user, use), {}, {}};
    f.detail = provider.path.empty()
                   ? use.library + " (needed for " + use.tag + ") is not found in " +
                         (user.search_paths.empty() ? "" : "its run path, ") +
                         "the folders of /etc/ld.so.conf or the default folders under " + lookup.root()
                   : "cannot read " + use.library + " (" + provider.path + "): " + provider.problem;
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace abitag::qt
