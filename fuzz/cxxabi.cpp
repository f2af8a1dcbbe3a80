// The per-file path of `abitag cxxabi` on arbitrary bytes: symbol reading
// (ELF of every class and byte order, ar archives, slim LTO members, GNU
// symbol versions), the classification of every name and the verdict.
#include "analyzers/cxxabi/file_verdict.h"
#include "analyzers/cxxabi/scan.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  static cxxabi::NameClassifier classifier; // reused across inputs, as each thread of the analyzer does
  auto symbols = cxxabi::read_symbol_buffer(fuzz::buffer(data, size), fuzz::kInputPath);
  if (!symbols) {
    to_message(symbols.takeError()); // the line abitag would print
    return 0;
  }
  cxxabi::FileVerdict verdict =
      cxxabi::judge_file(fuzz::kInputPath, cxxabi::classify_file(std::move(*symbols), classifier));
  for (const cxxabi::EvidenceSymbol &e : verdict.evidence)
    cxxabi::demangle(e.name); // what --explain and --json print
  return 0;
}
