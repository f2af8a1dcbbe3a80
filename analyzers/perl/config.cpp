// SPDX-License-Identifier: MIT
// A perl's configuration, read from the files configpm wrote when it was
// built, never by running it:
//  - version and archname: Config.pm's tie block ("version => '5.36.0'"),
//    what %Config{version} and %Config{archname} return;
//  - the API version: Config_heavy.pl's api_versionstring (its config.sh
//    copy), the string xsubpp makes every module pass; without that file,
//    the API string of a core XS module of the perl, built with the same
//    PERL_API_VERSION_STRING;
//  - @INC: Config's *exp folders and otherlibdirs, plus the folders compiled
//    into the program (Debian adds /etc/perl, /usr/local/lib/site_perl and
//    .../perl-base there, which Config does not list);
//  - the handshake key: a core XS module's (POSIX.so, Fcntl.so in its
//    archlib), the key the perl's own build passes, rather than computing
//    sizeof(PerlInterpreter).
// `perl -V:version -V:archname -V:api_versionstring` prints the same values
// (the tests compare).
#include <algorithm>
#include <cstring>
#include <cctype>
#include <functional>
#include <set>
#include <sys/stat.h>

#include "analyzers/perl/perl.h"
#include "fingerprint/discover.h"
#include "fingerprint/errors.h"
#include "fingerprint/folders.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/paths.h"

namespace abitag::perl {
namespace {

// A value of Config.pm's tie block ("    KEY => 'VALUE',") or of
// Config_heavy.pl's config.sh copy ("KEY='VALUE'"), each at a line's start.
std::optional<std::string> config_value(std::string_view text, std::string_view key, bool heavy) {
  std::string needle = "\n" + std::string(key) + (heavy ? "='" : " => '");
  std::size_t at = std::string_view::npos;
  if (heavy) {
    at = text.find(needle);
  } else {
    // The tie block indents its keys by four spaces.
    needle.insert(1, "    ");
    at = text.find(needle);
  }
  if (at == std::string_view::npos)
    return std::nullopt;
  std::size_t begin = at + needle.size();
  std::size_t end = text.find('\'', begin);
  if (end == std::string_view::npos || text.substr(begin, end - begin).find('\n') != std::string_view::npos)
    return std::nullopt;
  return std::string(text.substr(begin, end - begin));
}

void add_folders(const std::string &list, std::vector<std::string> &out) {
  std::size_t at = 0;
  while (at < list.size()) {
    std::size_t end = list.find_first_of(" :", at);
    if (end == std::string::npos)
      end = list.size();
    if (end > at && list[at] == '/')
      out.push_back(list.substr(at, end - at));
    at = end + 1;
  }
}

// The absolute folder names compiled into a perl program: the NUL-delimited
// strings of its bytes that start with '/', name a perl folder and are
// folders inside ROOT (perl.c pushes them onto @INC as constants).
std::vector<std::string> compiled_folders(llvm::StringRef bytes) {
  std::vector<std::string> out;
  // Each "perl" (memmem: a byte search fast enough for a 4 MB program),
  // then the string around it.
  for (std::size_t at = 0; at < bytes.size();) {
    const void *hit = ::memmem(bytes.data() + at, bytes.size() - at, "perl", 4);
    if (!hit)
      break;
    std::size_t found = static_cast<const char *>(hit) - bytes.data();
    std::size_t begin = bytes.rfind('\0', found), end = bytes.find('\0', found);
    at = end == llvm::StringRef::npos ? bytes.size() : end;
    if (begin == llvm::StringRef::npos || end == llvm::StringRef::npos || end - begin > 200 || bytes[begin + 1] != '/')
      continue;
    llvm::StringRef text = bytes.slice(begin + 1, end);
    bool printable = std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 127; });
    if (printable && std::find(out.begin(), out.end(), text.str()) == out.end())
      out.push_back(text.str());
  }
  return out;
}

// The file inside ROOT a perl's exports come from: the program, else the
// libperl it needs (a -Duseshrplib build), in archlib/CORE or libpth.
void read_program(const std::string &root, Perl &out, std::vector<std::string> &compiled) {
  llvm::Expected<std::string> host = resolve_under_root(root, out.config.perlpath);
  if (!host) {
    out.problem = "its program " + out.config.perlpath + " is missing: " + to_message(host.takeError());
    return;
  }
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(*host);
  if (!bytes) {
    out.problem = "its program " + out.config.perlpath + " cannot be read: " + to_message(bytes.takeError());
    return;
  }
  llvm::Expected<PerlElf> elf = read_perl_elf((*bytes)->getMemBufferRef(), out.config.perlpath);
  if (!elf) {
    out.problem = "its program " + out.config.perlpath + " cannot be read: " + to_message(elf.takeError());
    return;
  }
  out.binary = out.config.perlpath;
  compiled = compiled_folders((*bytes)->getBuffer());
  if (elf->runtime) {
    out.exports = std::move(elf->exports);
    out.exports_from = out.binary;
    return;
  }
  std::vector<std::string> folders = {out.config.archlibexp + "/CORE"};
  folders.insert(folders.end(), out.config.libpth.begin(), out.config.libpth.end());
  for (const std::string &needed : elf->needed)
    for (const std::string &folder : folders) {
      std::string inside = join_path(folder, needed);
      llvm::Expected<std::string> library = resolve_under_root(root, inside);
      if (!library) {
        llvm::consumeError(library.takeError());
        continue;
      }
      llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> library_bytes = map_file(*library);
      if (!library_bytes) {
        llvm::consumeError(library_bytes.takeError());
        continue;
      }
      llvm::Expected<PerlElf> shared = read_perl_elf((*library_bytes)->getMemBufferRef(), inside);
      if (shared && shared->runtime) {
        out.exports = std::move(shared->exports);
        out.exports_from = inside;
        return;
      }
      if (!shared)
        llvm::consumeError(shared.takeError());
    }
  out.problem = "neither " + out.binary + " nor a libperl it needs exports perl_construct";
}

// @INC: Config's folders, the program's compiled-in ones, and CONFIG_DIR
// (perl found this Config.pm on @INC), each once, when a folder inside ROOT.
void collect_inc(const std::string &root, const std::string &config_dir, const std::vector<std::string> &compiled,
                 Perl &out) {
  std::vector<std::string> all = out.config.inc;
  all.insert(all.end(), compiled.begin(), compiled.end());
  std::set<std::string> seen;
  for (const std::string &folder : all) {
    llvm::Expected<std::string> host = resolve_under_root(root, folder);
    if (!host) {
      llvm::consumeError(host.takeError());
      continue;
    }
    std::string canonical = real_path(*host);
    if (canonical.empty() || !is_folder(canonical) || !seen.insert(canonical).second)
      continue;
    out.inc_host.push_back(canonical);
    out.inc.push_back(folder);
  }
  std::string config_host = real_path(config_dir);
  if (!config_host.empty() && seen.insert(config_host).second) {
    out.inc_host.push_back(config_host);
    out.inc.push_back(path_inside_root(root, config_host));
  }
}

// The key of a core XS module below one of the perl's @INC folders.
void read_core_key(const std::string &root, Perl &out) {
  for (const char *module : {"auto/POSIX/POSIX.so", "auto/Fcntl/Fcntl.so", "auto/Socket/Socket.so"})
    for (const std::string &folder : out.inc_host) {
      std::string host = join_path(folder, module);
      llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(host);
      if (!bytes) {
        llvm::consumeError(bytes.takeError());
        continue;
      }
      llvm::Expected<PerlElf> elf = read_perl_elf((*bytes)->getMemBufferRef(), host);
      if (!elf) {
        llvm::consumeError(elf.takeError());
        continue;
      }
      if (out.config.api_versionstring.empty() && elf->api_strings.size() == 1)
        out.config.api_versionstring = elf->api_strings.front().substr(1);
      if (elf->key && (*elf->key & kHandshakeCheckedBits) != kHandshakeCheckedBits) {
        out.key = elf->key;
        out.key_from = path_inside_root(root, host);
        return;
      }
    }
}

} // namespace

bool looks_like_config_pm(std::string_view head) {
  return head.substr(0, 36) == "# This file was created by configpm ";
}

llvm::Expected<PerlConfig> parse_config_pm(std::string_view text) {
  PerlConfig out;
  std::optional<std::string> version = config_value(text, "version", false);
  std::optional<std::string> archname = config_value(text, "archname", false);
  if (!version || !archname || version->empty() || archname->empty())
    return make_error("no 'version' and 'archname' in its %Config tie: not a Config.pm configpm wrote");
  out.version = *version;
  out.archname = *archname;
  out.archlibexp = config_value(text, "archlibexp", false).value_or("");
  for (const char *key : {"archlibexp", "privlibexp", "sitearchexp", "sitelibexp"})
    if (std::optional<std::string> folder = config_value(text, key, false))
      add_folders(*folder, out.inc);
  if (std::optional<std::string> libpth = config_value(text, "libpth", false))
    add_folders(*libpth, out.libpth);
  return out;
}

llvm::Error parse_config_heavy(std::string_view text, const std::string &path, PerlConfig &config) {
  std::optional<std::string> api = config_value(text, "api_versionstring", true);
  std::optional<std::string> version = config_value(text, "version", true);
  if (!api || !version)
    return make_error(path + " has no api_versionstring and version: not a Config_heavy.pl configpm wrote");
  if (*version != config.version)
    return make_error(path + " is of perl " + *version + ", its Config.pm of " + config.version);
  config.api_versionstring = *api;
  config.perlpath = config_value(text, "perlpath", true).value_or("");
  config.libperl = config_value(text, "libperl", true).value_or("");
  for (const char *key : {"vendorarchexp", "vendorlibexp", "otherlibdirs"})
    if (std::optional<std::string> folder = config_value(text, key, true))
      add_folders(*folder, config.inc);
  return llvm::Error::success();
}

std::string Perl::tag() const {
  std::string out = config.version + " " + config.archname + " " + api();
  if (key)
    out += " hs=" + key_text(*key & kHandshakeCheckedBits);
  return out;
}

llvm::Expected<Perl> read_perl(const std::string &root, const std::string &config_pm) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> text = map_file(config_pm);
  if (!text)
    return text.takeError();
  // Its own path, links resolved: what the package database lists.
  std::string inside = path_inside_root(root, real_path(config_pm));
  llvm::Expected<PerlConfig> config = parse_config_pm((*text)->getBuffer());
  if (!config)
    return config.takeError();
  Perl out;
  out.config_pm = inside;
  out.config = std::move(*config);
  std::string heavy = join_path(parent_dir(config_pm), "Config_heavy.pl");
  if (llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> heavy_text = map_file(heavy)) {
    if (llvm::Error e = parse_config_heavy((*heavy_text)->getBuffer(), path_inside_root(root, heavy), out.config))
      return e;
  } else {
    llvm::consumeError(heavy_text.takeError()); // the API version then comes from a core module
  }
  if (out.config.perlpath.empty())
    out.config.perlpath = "/usr/bin/perl";
  std::vector<std::string> compiled;
  read_program(root, out, compiled);
  collect_inc(root, parent_dir(config_pm), compiled, out);
  read_core_key(root, out);
  if (out.config.api_versionstring.empty() && out.problem.empty())
    out.problem = "neither Config_heavy.pl nor a core XS module gives its API version";
  return out;
}

std::vector<std::string> perl_folders(const std::string &root) {
  std::vector<std::string> out;
  for (const char *base : {"/usr/lib", "/usr/lib64", "/usr/local/lib", "/usr/local/lib64"}) {
    llvm::Expected<std::string> host = resolve_under_root(root, base);
    if (!host) {
      llvm::consumeError(host.takeError());
      continue;
    }
    for (const std::string &name : folder_names(*host)) {
      std::string dir = join_path(*host, name);
      if (name.compare(0, 4, "perl") == 0)
        out.push_back(dir);
      else if (name.find("-linux-") != std::string::npos) // a multiarch folder
        for (const std::string &inner : folder_names(dir))
          if (inner.compare(0, 4, "perl") == 0)
            out.push_back(join_path(dir, inner));
    }
  }
  return out;
}

std::vector<Perl> installed_perls(const std::string &root, std::vector<InputError> &errors) {
  // Config.pm lies 0 to 2 folders below a perl* folder: perl/5.36.0 (Debian),
  // perl5/5.40.0/x86_64-linux (upstream), perl5/core_perl (Arch), perl5 (Fedora).
  std::vector<std::string> candidates;
  std::function<void(const std::string &, int)> look = [&](const std::string &dir, int depth) {
    std::string config = join_path(dir, "Config.pm");
    struct stat st;
    if (::lstat(config.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      candidates.push_back(config);
    if (depth < 2)
      for (const std::string &name : folder_names(dir))
        if (name != "auto" && std::isupper(static_cast<unsigned char>(name[0])) == 0 && is_folder(join_path(dir, name)))
          look(join_path(dir, name), depth + 1);
  };
  for (const std::string &folder : perl_folders(root))
    look(folder, 0);
  std::vector<Perl> out;
  std::set<std::string> archlibs; // one perl per archlib: Debian keeps copies in perl-base and cross-config
  std::sort(candidates.begin(), candidates.end());
  for (const std::string &config : candidates) {
    llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> text = map_file(config);
    if (!text) {
      errors.push_back({config, to_message(text.takeError())});
      continue;
    }
    if (!looks_like_config_pm((*text)->getBuffer()))
      continue;
    llvm::Expected<PerlConfig> parsed = parse_config_pm((*text)->getBuffer());
    if (!parsed) {
      errors.push_back({config, to_message(parsed.takeError())});
      continue;
    }
    // The copy in archlib itself is the perl's own.
    llvm::Expected<std::string> archlib = resolve_under_root(root, parsed->archlibexp);
    bool own = archlib && real_path(*archlib) == real_path(parent_dir(config));
    if (!archlib)
      llvm::consumeError(archlib.takeError());
    if (!own || !archlibs.insert(parsed->archlibexp).second)
      continue;
    llvm::Expected<Perl> perl = read_perl(root, config);
    if (perl)
      out.push_back(std::move(*perl));
    else
      errors.push_back({config, to_message(perl.takeError())});
  }
  return out;
}

} // namespace abitag::perl
