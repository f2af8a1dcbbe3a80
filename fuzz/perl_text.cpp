// SPDX-License-Identifier: MIT
// The text parsers of `abitag perl` on arbitrary bytes: Config.pm's %Config
// tie block, Config_heavy.pl's config.sh copy, and the package, @INC folder
// and version a module's path gives.
#include "analyzers/perl/perl.h"
#include "analyzers/perl/report.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view bytes = fuzz::bytes(data, size);
  llvm::Expected<perl::PerlConfig> config = perl::parse_config_pm(bytes);
  if (config) {
    if (config->version.empty() || config->archname.empty())
      __builtin_trap(); // a Config.pm without them is refused
    if (llvm::Error e = perl::parse_config_heavy(bytes, fuzz::kInputPath, *config))
      to_message(std::move(e));
    perl::Perl perl;
    perl.config = *config;
    fuzz::check_json_round_trip(perl::perl_json(perl));
  } else {
    to_message(config.takeError());
  }
  std::string path(bytes.substr(0, 256));
  std::string package = perl::module_package(path);
  if (!package.empty() && perl::module_inc_folder(path).empty() && path.compare(0, 5, "auto/") != 0)
    __builtin_trap(); // a package comes from an auto/ folder
  perl::boot_symbol(package);
  perl::folder_version(path);
  return 0;
}
