// SPDX-License-Identifier: MIT
// The ELF path of `abitag perl` on arbitrary bytes: the symbols of an XS
// module or of a perl program (elf/symbol_reader.h), its API strings, the
// handshake key read from boot_'s code (elf/function_code.h), --check
// against no perl and against the input itself as one, and the --json
// object read back.
#include "analyzers/perl/perl.h"
#include "analyzers/perl/report.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  auto buffer = fuzz::buffer(data, size);
  std::string name = fuzz::name_from(data, size);
  std::string path = "/usr/lib/perl5/auto/" + name + "/" + name + ".so";
  llvm::Expected<perl::PerlElf> elf = perl::read_perl_elf(buffer->getMemBufferRef(), path);
  if (!elf) {
    to_message(elf.takeError()); // the line abitag would print
    return 0;
  }
  if (elf->key && (*elf->key >> 16) == 0)
    __builtin_trap(); // a key names an interpreter size
  if (!perl::check_module(*elf, path, path, {}, {}).loaders.empty())
    __builtin_trap(); // with no perl, nothing loads it
  perl::Perl self;
  self.config.version = "5.36.0";
  self.config.api_versionstring = "5.36.0";
  self.exports = elf->exports;
  self.key = elf->key;
  self.inc_host = {"/usr/lib/perl5"};
  perl::check_module(*elf, path, path, {self}, {});
  fuzz::check_json_round_trip(perl::module_json({name, path, path, perl::module_package(path), *elf}));
  return 0;
}
