// SPDX-License-Identifier: MIT
// Perl's XS ABI as its files show it: a perl's version, archname and API
// version (its Config.pm and Config_heavy.pl), the handshake key its core
// XS modules pass, the folders it searches (@INC) and the Perl_*/PL_*
// symbols its program exports; an XS module's (auto/**/NAME.so) boot_
// function, the API version string and handshake key that function passes,
// and the Perl_*/PL_* symbols it imports. The one header of the perl
// analyzer for the rest of abitag.
//
// What makes perl load an XS module (DynaLoader.pm, util.c
// Perl_xs_handshake): `use Foo::Bar` finds auto/Foo/Bar/Bar.so in a folder
// of @INC, dlopens it (lazily: only data symbols such as PL_markstack_ptr
// must resolve then), finds boot_Foo__Bar and calls it. Since 5.22 that
// function starts with Perl_xs_handshake(KEY, ..., "v5.36.0", XS_VERSION):
// KEY & 0xFFFF0080 (interpreter size, MULTIPLICITY) must equal the running
// perl's ("loadable library and perl binaries are mismatched", the process
// ends), then the API string must equal "v" PERL_API_VERSION_STRING ("Perl
// API version v5.34.0 of Foo::Bar does not match v5.36.0").
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "fingerprint/analyzer.h"

namespace abitag::perl {

// --- a perl's configuration -------------------------------------------------

// What Config.pm (and Config_heavy.pl, written by the same configpm run
// beside it) say; empty where they say nothing.
struct PerlConfig {
  std::string version;           // Config.pm 'version': "5.36.0"
  std::string archname;          // Config.pm 'archname': "x86_64-linux-gnu-thread-multi"
  std::string api_versionstring; // Config_heavy.pl: "5.36.0" (every 5.36.x keeps 5.36.0)
  std::string perlpath;          // Config_heavy.pl: "/usr/bin/perl"
  std::string libperl;           // Config_heavy.pl: "libperl.so.5.36"
  std::vector<std::string> libpth; // Config.pm: where the linker looks for libperl
  // Config.pm's archlibexp, privlibexp, sitearchexp, sitelibexp and
  // Config_heavy.pl's vendorarchexp, vendorlibexp, otherlibdirs: @INC's
  // configured folders, in perl.c's order of pushing them.
  std::vector<std::string> inc;
  std::string archlibexp;
};

// The header configpm writes: how a Config.pm (and Config_heavy.pl) starts.
bool looks_like_config_pm(std::string_view head);
// Config.pm's TEXT. One without 'version' and 'archname' in its tie block
// is damaged: an error.
llvm::Expected<PerlConfig> parse_config_pm(std::string_view text);
// Adds what Config_heavy.pl's TEXT says to CONFIG; a file without
// 'api_versionstring' and 'version' is damaged: an error.
llvm::Error parse_config_heavy(std::string_view text, const std::string &path, PerlConfig &config);

// --- XS modules and perl's own ELF files -------------------------------------

// perl's handshake key bits (util.h): what the first check compares, and the
// value of those bits that means "no check" (Debian's re.so passes it).
constexpr std::uint32_t kHandshakeCheckedBits = 0xFFFF0080;
constexpr std::uint32_t kHandshakeMultiplicity = 0x80;

struct PerlElf {
  std::string path;
  bool shared_object = false;
  bool runtime = false;                // exports perl_construct: the perl program or libperl
  std::vector<std::string> boots;      // boot_* functions it defines
  std::vector<std::string> imports;    // undefined Perl_*/PL_* symbols, not weak, sorted
  std::set<std::string> exports;       // a runtime's defined Perl_*/PL_* symbols
  std::vector<std::string> needed;     // a runtime's DT_NEEDED libperl*, for its exports
  // The "v5.36.0" strings in the file: what boot_ passes as the API version
  // (a NUL-terminated "v5.N.N" in the file's bytes). More than one is kept.
  std::vector<std::string> api_strings;
  // The key boot_ passes to Perl_xs_handshake, read from its x86-64 code
  // (the `mov $KEY,%edi` before the call); nullopt for older modules,
  // other instruction sets, or a key that disagrees with the API string.
  std::optional<std::uint32_t> key;
  bool imports_handshake = false;      // imports Perl_xs_handshake (built for 5.22 or later)
};
// Reads BUFFER (PATH names it in errors); damage is an error.
llvm::Expected<PerlElf> read_perl_elf(llvm::MemoryBufferRef buffer, const std::string &path);

// The package an XS module at PATH is loaded for, from its place below an
// auto folder: ".../auto/Foo/Bar/Bar.so" is Foo::Bar; empty when PATH is
// not laid out so (DynaLoader looks for no other name).
std::string module_package(const std::string &path);
// The folder PATH's auto/ folder is in (the @INC folder that finds it).
std::string module_inc_folder(const std::string &path);
// The perl version a folder of PATH names ("5.36.0", "5.36"), or empty.
std::string folder_version(const std::string &path);
// "boot_Foo__Bar", the function DynaLoader calls for package Foo::Bar.
std::string boot_symbol(const std::string &package);

// --- installed perls -----------------------------------------------------------

struct Perl {
  std::string config_pm; // the file read, inside the root
  PerlConfig config;
  std::string binary;    // perlpath inside the root, when there
  std::string exports_from; // the file the Perl_*/PL_* exports came from
  std::set<std::string> exports;
  // @INC folders as canonical host paths: Config's, the folders of this
  // perl's other Config.pm copies and the folders compiled into its program.
  std::vector<std::string> inc_host;
  std::vector<std::string> inc;  // the same, inside the root
  std::optional<std::uint32_t> key; // a core XS module's handshake key
  std::string key_from;          // that module, inside the root
  std::string problem;           // why it loads nothing (no program), or empty

  // "5.36.0 x86_64-linux-gnu-thread-multi v5.36.0 hs=0x0eb80080"
  std::string tag() const;
  std::string api() const { return "v" + config.api_versionstring; }
};

// Reads the perl whose Config.pm is CONFIG_PM (a host path) inside ROOT (a
// canonical host path): Config_heavy.pl beside it, its program, a core XS
// module of its archlib for the handshake key.
llvm::Expected<Perl> read_perl(const std::string &root, const std::string &config_pm);

// The perl* folders of ROOT's /usr/lib, /usr/lib64, /usr/local/lib and
// /usr/local/lib64 and of their multiarch folders (x86_64-linux-gnu):
// host paths, where perls and XS modules are installed.
std::vector<std::string> perl_folders(const std::string &root);

// Every perl installed in ROOT: Config.pm files (with Config_heavy.pl) in
// perl folders of /usr/lib, /usr/lib64, /usr/local/lib and their multiarch
// folders, one perl per archlib. Unreadable ones go to ERRORS.
std::vector<Perl> installed_perls(const std::string &root, std::vector<InputError> &errors);

// --- --check --------------------------------------------------------------------

struct LoadVerdict {
  std::vector<const Perl *> loaders; // the perls that load it
  std::vector<const Perl *> searching; // the perls whose @INC holds it
  std::string problem;               // one sentence when none does
};
// Whether a perl of PERLS loads MODULE, whose canonical host path is HOST
// and whose path inside the root is INSIDE. EXTRA_INC (canonical host
// paths) are searched by every perl, as perl -I adds them.
LoadVerdict check_module(const PerlElf &module, const std::string &host, const std::string &inside,
                         const std::vector<Perl> &perls, const std::vector<std::string> &extra_inc);

// "0xeb80080", as perl prints a key (%p).
std::string key_text(std::uint32_t key);

// Adds the perl analyzer: perls, XS modules, --check.
void register_analyzer(Registry &registry);

} // namespace abitag::perl
