// SPDX-License-Identifier: MIT
// Parsing the entries of the header page (load_core_file in coreparse.c).
#include "analyzers/sbcl/core_header.h"

#include <algorithm>

#include "fingerprint/errors.h"

namespace abitag::sbcl {
namespace {

// Entry codes, unchanged from 1.1.18 to 2.6.x (tools-for-build/corefile.lisp).
constexpr std::uint64_t kEnd = 3840;
constexpr std::uint64_t kDirectory = 3861;
constexpr std::uint64_t kPageTable = 3880;
constexpr std::uint64_t kRuntimeOptions = 0x31EBF355;
constexpr std::uint64_t kCompressedFlag = 8; // DEFLATED_CORE_SPACE_ID_FLAG
constexpr std::uint64_t kTrailerWords = 1;   // CORE_MAGIC after the 8-byte off_t

using Payload = std::vector<std::uint64_t>;

std::string hex(std::uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

// Words up to SBCL 1.3.20 held one character each.
bool one_char_per_word(const Payload &p) {
  for (std::uint64_t w : p)
    if (w > 255)
      return false;
  return !p.empty();
}

// BUILD_ID: [fixed words..., strlen, bytes padded with 0xFF to a word]. The
// number of fixed words grew from 0 (1.3.21) to 2 (2.4.10) to 3 (2.5.3), so
// find the word that is a plausible length for exactly the words after it.
llvm::Error read_build_id(const Payload &p, std::string_view bytes, std::size_t payload_word,
                          unsigned word_size, CoreHeader &out) {
  if (one_char_per_word(p)) {
    for (std::uint64_t c : p)
      out.build_id += static_cast<char>(c);
    out.build_id_layout = "one character per word (1.1.18 to 1.3.20)";
    return llvm::Error::success();
  }
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::uint64_t length = p[i];
    std::uint64_t words_after = p.size() - i - 1;
    if (length >= 4096 || (length + word_size - 1) / word_size != words_after)
      continue;
    out.build_id = std::string(bytes.substr((payload_word + i + 1) * word_size, length));
    switch (i) {
    case 0: out.build_id_layout = "strlen, bytes (1.3.21 to 2.4.9)"; break;
    case 2: out.build_id_layout = "gc_id, NIL, strlen, bytes (2.4.10 to 2.5.2)"; break;
    case 3: out.build_id_layout = "gc_id, card_table_nbits, NIL, strlen, bytes (2.5.3 on)"; break;
    default: out.build_id_layout = std::to_string(i) + " unknown fixed words before strlen"; break;
    }
    if (i >= 2)
      out.gc_id = p[0];
    return llvm::Error::success();
  }
  return make_error("the BUILD_ID entry holds no string whose length matches its size");
}

llvm::Error read_directory(const Payload &p, CoreHeader &out) {
  if (p.size() % 5 != 0)
    return make_error("the space directory has " + std::to_string(p.size()) +
                      " words, not a multiple of 5");
  for (std::size_t i = 0; i < p.size(); i += 5) {
    SpaceEntry space;
    space.id = p[i] & ~kCompressedFlag;
    space.compressed = p[i] & kCompressedFlag;
    space.nwords = p[i + 1];
    space.data_page = p[i + 2];
    space.address = p[i + 3];
    space.page_count = p[i + 4];
    out.spaces.push_back(space);
  }
  return llvm::Error::success();
}

// 2.2.x has [card_table_nbits, n_ptes, nbytes, data_page]; 2.5.3 dropped the
// first word. Both end in the same three.
llvm::Error read_page_table(const Payload &p, CoreHeader &out) {
  if (p.size() < 3)
    return make_error("the PAGE_TABLE entry is too short (" + std::to_string(p.size()) + " words)");
  std::size_t n = p.size();
  out.page_table = PageTableEntry{p[n - 3], p[n - 2], p[n - 1]};
  return llvm::Error::success();
}

// The backend page size is not in the header. Every core ends with the page
// table data then the trailer, and the table sits at page data_page + 1, so
// the size follows from the file length when the file is whole. A stub or a
// truncated file falls back to the usual size for its word size.
void choose_page_size(const FileReader &file, CoreHeader &out) {
  const CoreLocation &at = out.location;
  std::uint64_t trailer = 8 + kTrailerWords * at.word.size;
  if (out.page_table && file.size() >= at.core_start + trailer + out.page_table->nbytes) {
    std::uint64_t before_table = file.size() - trailer - out.page_table->nbytes - at.core_start;
    std::uint64_t pages = out.page_table->data_page + 1;
    for (std::uint64_t size = 4096; size <= kMaxPageSize; size *= 2)
      if (pages && before_table % pages == 0 && before_table / pages == size) {
        out.page_size = size;
        out.page_size_source = "page table";
        return;
      }
  }
  out.page_size = at.word.size == 8 ? 32768 : 4096;
  out.page_size_source = at.word.size == 8 ? "assumed (x86-64 Linux), the file is not a whole core"
                                           : "assumed (32-bit x86), the file is not a whole core";
}

// Reads the header entry CODE, whose words after the code and length are
// PAYLOAD, found at word AT of BYTES, into OUT.
llvm::Error read_entry(std::uint64_t code, const Payload &payload, std::string_view bytes, std::size_t at,
                       const WordFormat &word, CoreHeader &out) {
  switch (code) {
  case kBuildIdCode:
  case kOldBuildIdCode:
    return read_build_id(payload, bytes, at + 2, word.size, out);
  case kDirectory:
    return read_directory(payload, out);
  case kPageTable:
    return read_page_table(payload, out);
  case kRuntimeOptions:
    if (payload.size() < 3)
      return make_error("the runtime options entry is too short");
    out.runtime_options = RuntimeOptions{payload[0], payload[1], payload[2], payload.size() > 3};
    return llvm::Error::success();
  default:
    return llvm::Error::success(); // entries abitag does not need (INITIAL_FUN, STATIC_CONSTANTS...)
  }
}

} // namespace

const char *space_name(std::uint64_t id) {
  switch (id) {
  case 1: return "dynamic";
  case 2: return "static";
  case 3: return "read-only";
  case 4: return "immobile-fixedobj";
  case 5: return "immobile-text";
  case 6: return "permgen";
  default: return "unknown";
  }
}

llvm::Error check_build_id(std::string_view id, const char *what) {
  if (id.empty())
    return make_error(std::string(what) + " holds an empty build id");
  if (std::all_of(id.begin(), id.end(), [](char c) { return c == '\0'; }))
    return make_error(std::string(what) + " holds a build id of " + std::to_string(id.size()) +
                      " zero bytes: it was wiped");
  for (std::size_t i = 0; i < id.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    if (c < 0x20 || c == 0x7f || c == 0xff)
      return make_error(std::string(what) + " holds a build id with byte " + hex(c) + " at " + std::to_string(i) +
                        ", which no SBCL writes: it is damaged");
  }
  return llvm::Error::success();
}

llvm::Expected<CoreHeader> read_core_header(const FileReader &file, const CoreLocation &location) {
  CoreHeader out;
  out.location = location;
  const WordFormat &word = location.word;
  std::uint64_t available = std::min<std::uint64_t>(kMaxPageSize, file.size() - location.core_start);
  llvm::Expected<std::string> page = file.read(location.core_start, available, "header page");
  if (!page)
    return page.takeError();
  std::string_view bytes = *page;
  std::size_t words = bytes.size() / word.size;

  bool ended = false;
  bool have_build_id = false;
  std::size_t at = 1; // after CORE_MAGIC
  while (!ended) {
    if (at >= words)
      return make_error("truncated header: no END entry in the first " + std::to_string(bytes.size()) +
                        " bytes of the core");
    std::uint64_t code = word.at(bytes, at);
    if (code == kEnd) {
      ended = true; // save.c writes END without a length word
      out.header_bytes = (at + 1) * word.size;
      break;
    }
    if (at + 1 >= words)
      return make_error("truncated header: entry " + hex(code) + " has no length");
    std::uint64_t length = word.at(bytes, at + 1);
    std::uint64_t offset = at * word.size;
    if (length < 2 || length > words - at) {
      // Within the largest page but past the bytes there: the file was cut.
      bool file_ended = length >= 2 && length <= kMaxPageSize / word.size - at;
      return make_error(std::string(file_ended ? "truncated header: " : "") + "header entry " + hex(code) +
                        " at offset " + std::to_string(offset) + " has length " + std::to_string(length) +
                        " words, which runs past the " + (file_ended ? "end of the file" : "header page"));
    }
    Payload payload;
    for (std::uint64_t i = 2; i < length; ++i)
      payload.push_back(word.at(bytes, at + i));
    have_build_id |= code == kBuildIdCode || code == kOldBuildIdCode;
    if (llvm::Error error = read_entry(code, payload, bytes, at, word, out))
      return error;
    at += length;
  }
  if (!have_build_id)
    return make_error("the header has no BUILD_ID entry");
  if (llvm::Error e = check_build_id(out.build_id, "the core's BUILD_ID entry"))
    return e;
  choose_page_size(file, out);
  if (out.header_bytes > out.page_size)
    return make_error("the header entries run " + std::to_string(out.header_bytes) +
                      " bytes, past the " + std::to_string(out.page_size) + "-byte header page");
  return out;
}

} // namespace abitag::sbcl
