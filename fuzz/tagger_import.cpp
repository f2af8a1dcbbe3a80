// SPDX-License-Identifier: MIT
// `abitag import` on arbitrary bytes: the document is parsed and validated,
// then written into an in-memory store and read back; what the store then
// exports must import again, as the same document. And a store entry made of
// the input's bytes (ids, keys, values, recorded paths: any bytes the store
// accepts) must export as JSON that imports as the same entry.
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"
#include "tagger/exchange.h"
#include "tagger/names.h"

using namespace abitag;

namespace {

tagger::Store &memory_store() {
  static std::unique_ptr<tagger::Store> store = [] {
    auto opened = tagger::Store::open_for_writing(":memory:");
    if (!opened)
      __builtin_trap();
    return std::move(*opened);
  }();
  return *store;
}

// Writes SNAPSHOT into the emptied store and checks that its export reads
// back as the same document and imports as the same entries.
void check_export_imports(const tagger::Snapshot &snapshot) {
  tagger::Store &store = memory_store();
  if (llvm::Error e = store.begin_write())
    __builtin_trap();
  if (llvm::Error e = tagger::write_snapshot(store, snapshot, /*replace=*/true)) {
    to_message(std::move(e)); // a value the store refuses: the import fails as a whole
    store.rollback();
    return;
  }
  auto stored = tagger::read_snapshot(store);
  store.rollback();
  if (!stored)
    __builtin_trap();
  nlohmann::ordered_json exported = tagger::to_json(*stored);
  fuzz::check_json_round_trip(exported);
  auto again = tagger::parse_snapshot(json_text(exported, 2));
  if (!again)
    __builtin_trap(); // an export that import refuses
  if (nlohmann::json(tagger::to_json(*again)) != nlohmann::json(exported))
    __builtin_trap(); // or imports as other entries
}

// TEXT with the bytes the store refuses in a word (blanks) or a value (line
// breaks) replaced; empty words are made one byte long.
std::string word_of(std::string_view text) {
  std::string out(text.empty() ? std::string_view("_") : text);
  for (char &c : out)
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0')
      c = '_';
  return out;
}

std::string value_of(std::string_view text) {
  std::string out(text);
  for (char &c : out)
    if (c == '\n' || c == '\r' || c == '\0')
      c = '_';
  return out;
}

// A tag and a lock whose every name is cut from INPUT.
tagger::Snapshot snapshot_of(std::string_view input) {
  std::size_t third = input.size() / 3;
  std::string package = word_of(input.substr(0, third)), key = word_of(input.substr(third, third));
  std::string value = value_of(input.substr(2 * third));
  tagger::Snapshot out;
  tagger::TagArguments arguments{{std::string(input.substr(0, third))}, {std::string(input)}};
  out.tags.push_back({package, key, value, key, 1, arguments});
  out.locks.push_back({key + "-user", package, key, value, 2});
  // What the store's rules (tagger/names.h) still refuse is left out.
  if (tagger::invalid_word("a package id", package) || tagger::invalid_word("a key", key) ||
      tagger::invalid_value(value))
    return {};
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  check_export_imports(snapshot_of(fuzz::bytes(data, size)));
  auto snapshot = tagger::parse_snapshot(std::string(fuzz::bytes(data, size)));
  if (!snapshot) {
    to_message(snapshot.takeError());
    return 0;
  }
  check_export_imports(*snapshot);
  return 0;
}
