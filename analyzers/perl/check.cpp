// SPDX-License-Identifier: MIT
// Whether an installed perl loads an XS module, decided in the order perl
// decides it: `use` finds auto/PACKAGE/NAME.so in an @INC folder;
// DynaLoader dlopens it (an imported symbol the perl does not export fails
// there for data, or at the first call for a function: lazy binding),
// looks up boot_PACKAGE and calls it; boot_ hands its key and API string to
// Perl_xs_handshake, which ends the process on a key mismatch and croaks on
// an API mismatch. The sentences are perl's own where perl has one.
#include <algorithm>

#include "analyzers/perl/perl.h"
#include "elf/symbol_reader.h"
#include "fingerprint/paths.h"

namespace abitag::perl {
namespace {

bool searches(const std::vector<std::string> &inc, const std::string &folder) {
  return std::find(inc.begin(), inc.end(), folder) != inc.end();
}

std::string listed(const std::vector<Perl> &perls) {
  std::string out;
  for (const Perl &perl : perls)
    if (perl.problem.empty())
      out += (out.empty() ? "" : ", ") + perl.config.version + " " + perl.config.archname;
  return out.empty() ? "none" : out;
}

// Why PERL refuses MODULE of PACKAGE, or empty.
std::string refusal(const PerlElf &module, const std::string &package, const std::string &inside, const Perl &perl) {
  std::string missing = elf::unmet_imports(module.imports, perl.exports);
  if (!missing.empty())
    return "it imports " + missing + ", which " + perl.exports_from + " (perl " + perl.config.version +
           ") does not export";
  std::string boot = boot_symbol(package);
  if (std::find(module.boots.begin(), module.boots.end(), boot) == module.boots.end())
    return "Can't find '" + boot + "' symbol in " + inside;
  if (module.key && perl.key && (*module.key & kHandshakeCheckedBits) != kHandshakeCheckedBits &&
      (*module.key & kHandshakeCheckedBits) != (*perl.key & kHandshakeCheckedBits))
    return "loadable library and perl binaries are mismatched (got first handshake key " +
           key_text(*module.key & kHandshakeCheckedBits) + ", needed " + key_text(*perl.key & kHandshakeCheckedBits) +
           ")";
  if (module.api_strings.size() == 1 && module.api_strings.front() != perl.api())
    return "Perl API version " + module.api_strings.front() + " of " + package + " does not match " + perl.api();
  return {};
}

} // namespace

LoadVerdict check_module(const PerlElf &module, const std::string &host, const std::string &inside,
                         const std::vector<Perl> &perls, const std::vector<std::string> &extra_inc) {
  LoadVerdict out;
  std::string package = module_package(inside);
  if (package.empty()) {
    out.problem = "it is not auto/PACKAGE/NAME.so below an @INC folder: DynaLoader never loads it";
    return out;
  }
  std::string folder_host = module_inc_folder(host);
  for (const Perl &perl : perls)
    if (perl.problem.empty() && (searches(perl.inc_host, folder_host) || searches(extra_inc, folder_host)))
      out.searching.push_back(&perl);
  if (out.searching.empty()) {
    std::string claim = folder_version(inside);
    out.problem = "it is in " + module_inc_folder(inside) + ", which no installed perl searches (" +
                  (claim.empty() ? "" : "a folder of perl " + claim + "; ") + "installed: " + listed(perls) + ")";
    return out;
  }
  for (const Perl *perl : out.searching) {
    std::string why = refusal(module, package, inside, *perl);
    if (why.empty())
      out.loaders.push_back(perl);
    else if (out.problem.empty())
      out.problem = why;
  }
  if (!out.loaders.empty())
    out.problem.clear();
  return out;
}

} // namespace abitag::perl
