// SPDX-License-Identifier: MIT
// Kernel modules and the kernels they load into: what a module says it was
// built for (.modinfo, the CRCs it expects in __versions or the extended
// version sections, the size of its struct module), what a kernel exports
// (Module.symvers, the modules of its tree), and the decision the kernel's
// loader makes when the one meets the other (kernel/module/main.c and
// version.c). The one header the rest of abitag includes (the audit's
// section, later) of the kmod analyzer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <llvm/Support/Error.h>

#include "fingerprint/analyzer.h"

namespace abitag::kmod {

// One symbol a module expects: its name and the CRC modpost recorded. On a
// 64-bit target a __versions record holds an unsigned long: the kernel
// compares it whole with the exporter's u32, so the high half counts too.
struct ImportedVersion {
  std::string name;
  std::uint64_t crc = 0;
};

// A symbol the module leaves undefined: the kernel resolves each one.
struct UndefinedSymbol {
  std::string name;
  bool weak = false; // a weak one nobody exports is no refusal
};

// A symbol a module or a kernel exports.
struct ExportedSymbol {
  std::string name;
  std::optional<std::uint32_t> crc; // none when the exporter has no CRCs (no CONFIG_MODVERSIONS)
  bool gpl_only = false;            // EXPORT_SYMBOL_GPL
  std::string name_space;           // EXPORT_SYMBOL_NS; empty for none, or unknown (read from a .ko)
  std::string owner;                // "vmlinux", or the module ("drivers/uio/uio" in Module.symvers)
};

struct Module {
  std::string path;
  std::uint16_t machine = 0; // ELF e_machine
  // .modinfo in file order; a key may repeat (alias, import_ns).
  std::vector<std::pair<std::string, std::string>> modinfo;
  // The module's name as the kernel prints it: modinfo's name=, else the
  // file name without .ko and its compression suffix.
  std::string name;
  bool has_versions = false;          // a __versions section (even an empty one)
  std::vector<ImportedVersion> versions;
  bool has_extended_versions = false; // __version_ext_crcs and __version_ext_names
  std::vector<ImportedVersion> extended_versions;
  std::vector<UndefinedSymbol> undefined; // .symtab order, as the loader walks them
  std::optional<std::uint64_t> this_module_size; // sh_size of .gnu.linkonce.this_module
  std::vector<ExportedSymbol> exports;

  // The first value of KEY in .modinfo, if there is one.
  std::optional<std::string> info(std::string_view key) const;
  std::vector<std::string> all_info(std::string_view key) const;
  bool in_tree() const { return info("intree").has_value(); }
};

// Reads a module file: ELF, or ELF compressed with xz, zstd or gzip (chosen
// by the magic bytes, as kmod does). A signature appended after the ELF
// image is ignored, as the ELF offsets never reach it.
llvm::Expected<Module> read_module(const std::string &path);
// The same from BYTES (compressed or not); PATH is only recorded.
llvm::Expected<Module> parse_module(std::string_view bytes, const std::string &path);

// Module.symvers: "0x%08x\tSYMBOL\tMODULE\tEXPORT_SYMBOL[_GPL]\tNAMESPACE" per
// line (the namespace was the third field in 5.4 and 5.5, and is absent
// before). A compressed file is decompressed first.
llvm::Expected<std::vector<ExportedSymbol>> parse_symvers(std::string_view bytes);
llvm::Expected<std::vector<ExportedSymbol>> read_symvers(const std::string &path);

// What a kernel is, as far as its files say.
struct Kernel {
  std::string release;                 // "6.1.0-57-cloud-amd64"
  std::optional<std::string> vermagic; // its VERMAGIC_STRING, from an in-tree module
  std::optional<std::uint64_t> this_module_size; // sizeof(struct module), from an in-tree module
  std::optional<std::uint16_t> machine;          // ELF e_machine, from an in-tree module
  std::map<std::string, ExportedSymbol> exports;
  bool has_symvers = false;            // Module.symvers: the exports of vmlinux and its modules are known
  bool has_image = false;              // the exports of vmlinux are known from the kernel image
  bool vmlinux_exports_known() const { return has_symvers || has_image; }
  // The kernel's configuration, where it was found (/boot/config-R, the
  // build tree's .config); the defaults otherwise.
  bool config_known = false;
  bool force_load = false;             // CONFIG_MODULE_FORCE_LOAD
  bool allow_missing_namespace_imports = false; // CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS
  std::vector<std::string> sources;    // the files the facts above come from
};

// The kernel RELEASE installed under ROOT (ROOT/lib/modules/RELEASE, else
// ROOT/usr/lib/modules/RELEASE), or the kernel a PATH stands for: a modules
// tree (/lib/modules/R), a build or headers tree holding Module.symvers, or
// a Module.symvers file. The exports of vmlinux come from the image
// ROOT/boot/vmlinuz-R and from R/build's Module.symvers (the image counting
// where they disagree), those of in-tree modules from Module.symvers, else
// from the modules. An error names what is unreadable.
llvm::Expected<Kernel> load_kernel(const std::string &release_or_path, const std::string &root = "/");

// A modules tree read whole (the audit's kmod section): its kernel as
// load_kernel gives it, and every module in it, in-tree ones too, each read
// once. A module that cannot be read is set aside, not an error.
struct InstalledTree {
  Kernel kernel;
  std::vector<Module> modules;                                // in the tree's sorted order
  std::vector<std::pair<std::string, std::string>> unreadable; // host path, why
};
// TREE: ROOT/lib/modules/RELEASE (or usr/lib/modules) on the host.
llvm::Expected<InstalledTree> load_installed_tree(const std::string &tree, const std::string &root);

// The kernel a module at PATH (on the host, under ROOT) is installed for:
// R when it lies under ROOT/lib/modules/R/ or ROOT/usr/lib/modules/R/.
std::optional<std::string> installed_release(const std::string &path, const std::string &root = "/");

// Adds EXPORTS (of a module being checked, say) to KERNEL's table unless a
// symbol of that name is already exported.
void add_exports(Kernel &kernel, const std::vector<ExportedSymbol> &exports);

enum class RefusalKind {
  Architecture,     // a module for another machine
  ModuleStructSize, // .gnu.linkonce.this_module's size
  ModuleLayout,     // the CRC of module_layout
  NoVersions,       // no CRCs at all, and the kernel cannot force the load
  Vermagic,
  SymbolVersion,    // an import whose CRC differs
  UnknownSymbol,    // an import nobody exports (or only as GPL-only to a module that is not GPL)
  Namespace,        // an import from a namespace the module does not import
};

// "vermagic", "symbol-version", ...: the kind as --json and the audit name it.
const char *refusal_kind_name(RefusalKind kind);

struct Refusal {
  RefusalKind kind;
  std::string symbol;              // the symbol concerned, if any
  std::vector<std::string> lines;  // what the kernel prints, "NAME: ..." (one or two lines)
};

struct CheckResult {
  std::vector<Refusal> refusals;  // empty: the kernel loads it
  std::vector<std::string> notes; // what loads with a taint, or what could not be decided
};

// Decides as the kernel's loader does (load_module: the machine, the struct
// module size, module_layout, vermagic, then every undefined symbol in turn) whether
// KERNEL would load MODULE; stops where the loader stops.
CheckResult check_module(const Module &module, const Kernel &kernel);

// The tag of a kernel: its vermagic (words joined by single spaces), then
// "exports-sha256:" and the SHA-256 of its export table (name, CRC,
// GPL-only, namespace per symbol, in name order). Without a known vermagic,
// the release stands first.
std::string kernel_tag(const Kernel &kernel);

// A vermagic as a tag shows it: its words joined by single spaces, without
// the trailing space the kernel's string has.
std::string vermagic_words(std::string_view vermagic);

// Adds the kmod analyzer: kernel modules' vermagic and CRCs, kernels' tags,
// and whether a kernel would load a module.
void register_analyzer(Registry &registry);

} // namespace abitag::kmod
