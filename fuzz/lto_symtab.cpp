// SPDX-License-Identifier: MIT
// GCC's LTO symbol table reader (.gnu.lto_.symtab.* contents) directly.
#include "elf/lto_symtab.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view section = fuzz::bytes(data, size);
  auto symbols = elf::parse_lto_symtab(llvm::StringRef(section.data(), section.size()));
  if (!symbols) {
    to_message(symbols.takeError());
    return 0;
  }
  for (const elf::LtoSymbol &symbol : *symbols)
    if (symbol.name.data() < section.data() ||
        symbol.name.data() + symbol.name.size() > section.data() + section.size())
      __builtin_trap(); // a name must lie inside the section
  return 0;
}
