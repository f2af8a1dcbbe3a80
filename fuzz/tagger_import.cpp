// `abitag import` on arbitrary bytes: the document is parsed and validated,
// then written into an in-memory store and read back; what the store then
// exports must import again.
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"
#include "tagger/exchange.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  auto snapshot = tagger::parse_snapshot(std::string(fuzz::bytes(data, size)));
  if (!snapshot) {
    to_message(snapshot.takeError());
    return 0;
  }
  static std::unique_ptr<tagger::Store> store = [] {
    auto opened = tagger::Store::open_for_writing(":memory:");
    if (!opened)
      __builtin_trap();
    return std::move(*opened);
  }();
  if (llvm::Error e = store->begin_write())
    __builtin_trap();
  if (llvm::Error e = tagger::write_snapshot(*store, *snapshot, /*replace=*/true)) {
    to_message(std::move(e)); // a value the store refuses: the import fails as a whole
    store->rollback();
    return 0;
  }
  auto stored = tagger::read_snapshot(*store);
  store->rollback();
  if (!stored)
    __builtin_trap();
  auto again = tagger::parse_snapshot(json_text(tagger::to_json(*stored)));
  if (!again)
    __builtin_trap(); // an export that import refuses
  return 0;
}
