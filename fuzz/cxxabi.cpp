// SPDX-License-Identifier: MIT
// The per-file path of `abitag cxxabi` on arbitrary bytes: symbol reading
// (ELF of every class and byte order, ar archives, slim LTO members, GNU
// symbol versions), the classification of every name and the verdict; and
// that the verdict is the same whether every name is parsed (Detail::Full)
// or only those through which a family can show (Detail::Families); and
// that what --json prints of it is JSON that reads back the same, under a
// file name made of the input's bytes.
#include "analyzers/cxxabi/file_verdict.h"
#include "analyzers/cxxabi/scan.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

#include <algorithm>
#include <optional>

using namespace abitag;

namespace {

// The verdict of the input at DETAIL, or nullopt when it cannot be read.
std::optional<cxxabi::FileVerdict> judge(const std::uint8_t *data, std::size_t size, cxxabi::Detail detail) {
  static cxxabi::NameClassifier classifier; // reused across inputs, as each thread of the analyzer does
  auto symbols = elf::read_symbol_buffer(fuzz::buffer(data, size), fuzz::kInputPath);
  if (!symbols) {
    to_message(symbols.takeError()); // the line abitag would print
    return std::nullopt;
  }
  return cxxabi::judge_file(fuzz::kInputPath, cxxabi::classify_file(std::move(*symbols), classifier, detail));
}

// What may differ: names parsed in full that fail to parse but could not
// have shown a family are counted as unparsed.
void forget_unparsed(cxxabi::FileVerdict &verdict) {
  verdict.counts.erase("unparsed");
  verdict.flags.erase(std::remove(verdict.flags.begin(), verdict.flags.end(), "unparsed-names"), verdict.flags.end());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::optional<cxxabi::FileVerdict> verdict = judge(data, size, cxxabi::Detail::Families);
  if (!verdict)
    return 0;
  verdict->path = fuzz::name_from(data, size);
  fuzz::check_json_round_trip(cxxabi::file_json(*verdict)); // the symbol names, demangled too
  std::optional<cxxabi::FileVerdict> full = judge(data, size, cxxabi::Detail::Full);
  forget_unparsed(*verdict);
  forget_unparsed(*full);
  bool same = full->verdict == verdict->verdict && full->flags == verdict->flags &&
              full->tag_families == verdict->tag_families && full->counts == verdict->counts &&
              full->evidence.size() == verdict->evidence.size();
  for (std::size_t i = 0; same && i < full->evidence.size(); ++i)
    same = full->evidence[i].name == verdict->evidence[i].name &&
           full->evidence[i].families == verdict->evidence[i].families;
  if (!same)
    __builtin_trap();
  return 0;
}
