// What `abitag audit` reads of each file: the ELF facts (DT_NEEDED, SONAME,
// RPATH/RUNPATH, PT_INTERP, .gnu.version_d/_r, the symbol keys and the C++
// census), and the ld.so.cache reader of the SBCL library search.
#include "analyzers/sbcl/library_search.h"
#include "audit/elf_facts.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  auto facts = audit::read_elf_facts(fuzz::buffer(data, size), /*census=*/true);
  if (!facts)
    to_message(facts.takeError());
  sbcl::ld_so_cache_lists(fuzz::bytes(data, size), "libc.so.6");
  return 0;
}
