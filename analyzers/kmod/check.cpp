// SPDX-License-Identifier: MIT
// The kernel's loader, as far as files decide it: load_module() in
// kernel/module/main.c and check_version()/same_magic() in
// kernel/module/version.c. Each step is taken in the loader's order and
// refuses with the loader's own words; a step that fails ends the load, as
// it does there, except the symbol walk (simplify_symbols), which reports
// every symbol before failing.
#include <cstdio>
#include <cstring>

#include "analyzers/kmod/kmod.h"

namespace abitag::kmod {
namespace {

constexpr std::uint16_t kMachine386 = 3, kMachineX86_64 = 62;

// major.minor of a release such as "6.1.0-57-cloud-amd64".
std::pair<int, int> version_of(const std::string &release) {
  int major = 0, minor = 0;
  if (std::sscanf(release.c_str(), "%d.%d", &major, &minor) != 2)
    return {0, 0};
  return {major, minor};
}

// The .gnu.linkonce.this_module checks arrived in 6.4 ("module: add sanity
// check for ELF module section"); a kernel of unknown release is taken to
// have them.
bool checks_module_section(const Kernel &kernel) {
  std::pair<int, int> version = version_of(kernel.release);
  return version == std::pair<int, int>{0, 0} || version >= std::pair<int, int>{6, 4};
}

// include/linux/license.h
bool license_is_gpl_compatible(const std::string &license) {
  for (const char *gpl : {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"})
    if (license == gpl)
      return true;
  return false;
}

// Whether the module carries the proprietary taint that hides GPL-only
// exports from it (module_augment_kernel_taints, module_license_offenders).
bool proprietary(const Module &module) {
  if (!license_is_gpl_compatible(module.info("license").value_or("unspecified")))
    return true;
  return module.name == "driverloader" || module.name == "lve";
}

// The kernel compares the strings after the first space (its release) when
// the module has __versions, the whole strings otherwise.
bool same_magic(std::string_view module_magic, std::string_view kernel_magic, bool has_crcs) {
  if (has_crcs) {
    module_magic.remove_prefix(std::min(module_magic.size(), module_magic.find(' ')));
    kernel_magic.remove_prefix(std::min(kernel_magic.size(), kernel_magic.find(' ')));
  }
  return module_magic == kernel_magic;
}

// A kernel built without CONFIG_MODVERSIONS has no CRCs (and its
// Module.symvers writes 0x00000000 for each): its vermagic says so.
bool kernel_has_crcs(const Kernel &kernel) {
  if (kernel.vermagic)
    return kernel.vermagic->find(" modversions ") != std::string::npos;
  for (const auto &[name, symbol] : kernel.exports)
    if (symbol.crc && *symbol.crc != 0)
      return true;
  return false;
}

// verify_module_namespace: a namespace "module:A,B*" is open to the modules
// named (a trailing * matches any end; '-' and '_' are the same).
bool namespace_names_module(std::string_view name_space, const std::string &module) {
  if (name_space.substr(0, 7) != "module:")
    return false;
  auto canonical = [](std::string_view text) {
    std::string out(text);
    for (char &c : out)
      if (c == '-')
        c = '_';
    return out;
  };
  std::string name = canonical(module);
  std::string list = canonical(name_space.substr(7));
  std::size_t start = 0;
  while (start < list.size()) {
    std::size_t comma = std::min(list.size(), list.find(',', start));
    std::string_view pattern(list.data() + start, comma - start);
    bool glob = !pattern.empty() && pattern.back() == '*';
    if (glob)
      pattern.remove_suffix(1);
    if (glob ? std::string_view(name).substr(0, pattern.size()) == pattern : name == pattern)
      return true;
    start = comma + 1;
  }
  return false;
}

enum class Version { Match, Mismatch, NoVersions };

// check_version: the CRC the module recorded for SYMBOL against the
// exporter's. The extended sections, when there, replace __versions. A
// symbol the module has no version for passes (the kernel warns once).
Version check_version(const Module &module, const std::string &symbol, std::optional<std::uint32_t> crc) {
  if (!crc)
    return Version::Match;
  if (module.has_extended_versions) {
    for (const ImportedVersion &version : module.extended_versions)
      if (version.name == symbol)
        return version.crc == *crc ? Version::Match : Version::Mismatch;
    return Version::Match;
  }
  if (!module.has_versions)
    return Version::NoVersions;
  for (const ImportedVersion &version : module.versions)
    if (version.name == symbol)
      return version.crc == *crc ? Version::Match : Version::Mismatch;
  return Version::Match;
}

class Loader {
public:
  Loader(const Module &module, const Kernel &kernel)
      : module_(module), kernel_(kernel), crcs_(kernel_has_crcs(kernel)) {}

  CheckResult run() {
    if (architecture() && module_section() && module_layout() && vermagic())
      symbols();
    return std::move(out_);
  }

private:
  void refuse(RefusalKind kind, const std::string &symbol, std::vector<std::string> lines) {
    out_.refusals.push_back({kind, symbol, std::move(lines)});
  }
  std::string said(const std::string &text) const { return module_.name + ": " + text; }

  // try_to_force_load: with CONFIG_MODULE_FORCE_LOAD the load goes on,
  // tainted; without it the loader refuses, in REFUSED's words.
  bool forced(const std::string &reason, RefusalKind kind, const std::string &symbol, std::string refused) {
    if (kernel_.force_load) {
      out_.notes.push_back(said(reason + ": kernel tainted."));
      return true;
    }
    refuse(kind, symbol, {std::move(refused)});
    return false;
  }

  // The loader prints nothing when it refuses to force a load: these words are abitag's.
  std::string not_forced(const std::string &what) const {
    return said(what + ", and the kernel " +
                (kernel_.config_known ? std::string("is built without")
                                      : std::string("is taken to be built without (its configuration was not found)")) +
                " CONFIG_MODULE_FORCE_LOAD");
  }

  // elf_validity_ehdr: the kernel's words, without the module's name.
  bool architecture() {
    if (!kernel_.machine || *kernel_.machine == module_.machine)
      return true;
    refuse(RefusalKind::Architecture, {}, {"Invalid architecture in ELF header: " + std::to_string(module_.machine)});
    return false;
  }

  bool module_section() {
    if (!checks_module_section(kernel_)) {
      if (module_.this_module_size)
        return true;
      refuse(RefusalKind::ModuleStructSize, {}, {said("No module found in object")});
      return false;
    }
    std::string prefix = "module " + module_.name + ": ";
    if (!module_.this_module_size) {
      refuse(RefusalKind::ModuleStructSize, {}, {prefix + "Exactly one .gnu.linkonce.this_module section must exist."});
      return false;
    }
    if (kernel_.this_module_size && *kernel_.this_module_size != *module_.this_module_size) {
      refuse(RefusalKind::ModuleStructSize, {},
             {prefix + ".gnu.linkonce.this_module section size must match the kernel's built struct module "
                       "size at run time"});
      return false;
    }
    return true;
  }

  // check_modstruct_version: module_layout's CRC stands for the layout of
  // struct module and the structures the loader shares with the module.
  bool module_layout() {
    auto layout = kernel_.exports.find("module_layout");
    if (layout == kernel_.exports.end() || !crcs_)
      return true;
    switch (check_version(module_, "module_layout", layout->second.crc)) {
    case Version::Match:
      return true;
    case Version::Mismatch:
      refuse(RefusalKind::ModuleLayout, "module_layout", {said("disagrees about version of symbol module_layout")});
      return false;
    case Version::NoVersions:
      return forced("module_layout", RefusalKind::NoVersions, "module_layout",
                    not_forced("no symbol versions (no __versions section)"));
    }
    return true;
  }

  bool vermagic() {
    std::optional<std::string> magic = module_.info("vermagic");
    if (!magic)
      return forced("bad vermagic", RefusalKind::Vermagic, {}, not_forced("no vermagic in .modinfo"));
    if (!kernel_.vermagic) {
      out_.notes.push_back(said("vermagic not compared: the kernel's is not known (no in-tree module found)"));
      return true;
    }
    if (same_magic(*magic, *kernel_.vermagic, module_.has_versions))
      return true;
    refuse(RefusalKind::Vermagic, {}, {said("version magic '" + *magic + "' should be '" + *kernel_.vermagic + "'")});
    return false;
  }

  void symbols() {
    bool gpl_ok = !proprietary(module_);
    bool x86 = module_.machine == kMachine386 || module_.machine == kMachineX86_64;
    for (const UndefinedSymbol &symbol : module_.undefined) {
      auto found = kernel_.exports.find(symbol.name);
      if (found == kernel_.exports.end() || (found->second.gpl_only && !gpl_ok)) {
        if (symbol.weak || (x86 && symbol.name == "_GLOBAL_OFFSET_TABLE_"))
          continue;
        refuse(RefusalKind::UnknownSymbol, symbol.name, {said("Unknown symbol " + symbol.name + " (err -2)")});
        continue;
      }
      resolve(symbol.name, found->second);
    }
  }

  void resolve(const std::string &name, const ExportedSymbol &symbol) {
    std::string unknown = said("Unknown symbol " + name + " (err -22)");
    switch (check_version(module_, name, crcs_ ? symbol.crc : std::nullopt)) {
    case Version::Match:
      break;
    case Version::Mismatch:
      refuse(RefusalKind::SymbolVersion, name, {said("disagrees about version of symbol " + name), unknown});
      return;
    case Version::NoVersions:
      if (!forced(name, RefusalKind::NoVersions, name, unknown))
        return;
      break;
    }
    const std::string &name_space = symbol.name_space;
    if (name_space.empty() || namespace_names_module(name_space, module_.name))
      return;
    for (const std::string &imported : module_.all_info("import_ns"))
      if (imported == name_space)
        return;
    std::string line = said("module uses symbol (" + name + ") from namespace " + name_space + ", but does not import it.");
    if (kernel_.allow_missing_namespace_imports)
      out_.notes.push_back(line);
    else
      refuse(RefusalKind::Namespace, name, {line, unknown});
  }

  const Module &module_;
  const Kernel &kernel_;
  bool crcs_;
  CheckResult out_;
};

} // namespace

CheckResult check_module(const Module &module, const Kernel &kernel) { return Loader(module, kernel).run(); }

} // namespace abitag::kmod
