// SPDX-License-Identifier: MIT
// The walk, for the x86-64 object layout of SBCL 2.2.x to 2.6.x (verified
// on 2.2.9 and 2.6.7; see the research notes):
//   simple-base-string  [header low byte 0xE1][length << 1][Latin-1 bytes]
//   simple-character-string  the same with 0xE5 and UTF-32LE characters
//   symbol  [header 0x2D, hash, value, fdefn, info, name]; the name word may
//           carry a package id in its top 16 bits (2.2.x)
//   cons    pointer with lowtag 7: car at -7, cdr at +1; NIL is its own car and cdr
//   instance pointer with lowtag 3, header low byte 0x39; a shared-object's
//           first string slot is its namestring.
#include "analyzers/sbcl/heap_walk.h"

#include <set>

#include "analyzers/sbcl/heap.h"

namespace abitag::sbcl {
namespace {

constexpr unsigned char kBaseStringWidetag = 0xE1;
constexpr unsigned char kCharacterStringWidetag = 0xE5;
constexpr unsigned char kSymbolWidetag = 0x2D;
constexpr unsigned char kInstanceWidetag = 0x39;
constexpr std::uint64_t kListLowtag = 7;
constexpr std::uint64_t kInstanceLowtag = 3;
constexpr std::uint64_t kOtherLowtag = 0xF;
constexpr std::uint64_t kAddressMask = 0xFFFFFFFFFFFF; // the name slot's pointer part
constexpr std::size_t kSymbolNameWord = 5;
constexpr std::size_t kSymbolValueWord = 2;
constexpr std::size_t kInstanceSlotsSearched = 4;
constexpr std::size_t kMaxLibraries = 100000; // a longer list is a corrupt (circular) one
constexpr std::uint64_t kMaxNamestring = 1 << 20;
constexpr std::string_view kSymbolName = "*SHARED-OBJECTS*";

ForeignLibraries unknown(std::string reason) { return {false, {}, std::move(reason)}; }

std::uint64_t load64(std::string_view bytes, std::size_t offset) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return value;
}

void append_utf8(std::string &out, std::uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// The text of the string object at untagged address OBJECT, as UTF-8.
std::optional<std::string> read_string(const Heap &heap, std::uint64_t object) {
  std::optional<std::uint64_t> header = heap.word_at(object);
  std::optional<std::uint64_t> length_word = heap.word_at(object + 8);
  if (!header || !length_word || (*length_word & 1))
    return std::nullopt;
  std::uint64_t length = *length_word >> 1;
  unsigned char widetag = *header & 0xFF;
  if (length > kMaxNamestring)
    return std::nullopt;
  std::string out;
  if (widetag == kBaseStringWidetag) {
    std::optional<std::string_view> text = heap.bytes_at(object + 16, length);
    if (!text)
      return std::nullopt;
    for (char c : *text)
      append_utf8(out, static_cast<unsigned char>(c)); // Latin-1
    return out;
  }
  if (widetag == kCharacterStringWidetag) {
    std::optional<std::string_view> text = heap.bytes_at(object + 16, length * 4);
    if (!text)
      return std::nullopt;
    for (std::size_t i = 0; i < length; ++i) {
      std::uint32_t c = 0;
      for (int b = 3; b >= 0; --b)
        c = (c << 8) | static_cast<unsigned char>((*text)[i * 4 + b]);
      if (c > 0x10FFFF || (c >= 0xD800 && c < 0xE000))
        return std::nullopt;
      append_utf8(out, c);
    }
    return out;
  }
  return std::nullopt;
}

// Saved addresses of base-strings whose text is exactly *SHARED-OBJECTS*.
std::vector<std::uint64_t> find_name_strings(const Heap &heap) {
  std::vector<std::uint64_t> out;
  for (const HeapSpace &space : heap.spaces()) {
    for (std::size_t at = space.bytes.find(kSymbolName); at != std::string_view::npos;
         at = space.bytes.find(kSymbolName, at + 1)) {
      if (at < 16 || (at - 16) % 16 != 0)
        continue;
      std::size_t object = at - 16;
      if (static_cast<unsigned char>(space.bytes[object]) == kBaseStringWidetag &&
          load64(space.bytes, object + 8) == kSymbolName.size() << 1)
        out.push_back(space.address + object);
    }
  }
  return out;
}

// Saved addresses of symbols whose name slot points to NAME (tagged).
std::vector<std::uint64_t> find_symbols(const Heap &heap, std::uint64_t name) {
  char pattern[6];
  for (int i = 0; i < 6; ++i)
    pattern[i] = static_cast<char>((name >> (8 * i)) & 0xFF);
  std::string_view needle(pattern, 6);
  std::vector<std::uint64_t> out;
  for (const HeapSpace &space : heap.spaces()) {
    for (std::size_t at = space.bytes.find(needle); at != std::string_view::npos;
         at = space.bytes.find(needle, at + 1)) {
      std::size_t name_offset = kSymbolNameWord * 8;
      if (at < name_offset || (at - name_offset) % 16 != 0 || at + 8 > space.bytes.size())
        continue;
      std::size_t object = at - name_offset;
      if (static_cast<unsigned char>(space.bytes[object]) == kSymbolWidetag &&
          (load64(space.bytes, at) & kAddressMask) == name)
        out.push_back(space.address + object);
    }
  }
  return out;
}

bool is_nil(const Heap &heap, std::uint64_t value) {
  return (value & 0xF) == kListLowtag && heap.word_at(value - kListLowtag) == value &&
         heap.word_at(value + 1) == value;
}

// The namestring of the shared-object instance at tagged pointer OBJECT:
// the first slot that points to a string.
std::optional<std::string> instance_namestring(const Heap &heap, std::uint64_t object) {
  if ((object & 0xF) != kInstanceLowtag)
    return std::nullopt;
  std::uint64_t base = object - kInstanceLowtag;
  std::optional<std::uint64_t> header = heap.word_at(base);
  if (!header || (*header & 0xFF) != kInstanceWidetag)
    return std::nullopt;
  for (std::size_t slot = 1; slot <= kInstanceSlotsSearched; ++slot) {
    std::optional<std::uint64_t> value = heap.word_at(base + 8 * slot);
    if (!value || (*value & 0xF) != kOtherLowtag)
      continue;
    if (std::optional<std::string> text = read_string(heap, *value - kOtherLowtag))
      return text;
  }
  return std::nullopt;
}

// The list in the value slot of SYMBOL, or why it is not a list of
// shared objects.
ForeignLibraries walk_value(const Heap &heap, std::uint64_t symbol) {
  std::optional<std::uint64_t> cell = heap.word_at(symbol + 8 * kSymbolValueWord);
  if (!cell)
    return unknown("the value slot of *SHARED-OBJECTS* is outside the heap");
  ForeignLibraries out{true, {}, {}};
  std::set<std::uint64_t> seen;
  std::uint64_t list = *cell;
  while (!is_nil(heap, list)) {
    if ((list & 0xF) != kListLowtag || !seen.insert(list).second || seen.size() > kMaxLibraries)
      return unknown("the value of *SHARED-OBJECTS* is not a proper list");
    std::optional<std::uint64_t> car = heap.word_at(list - kListLowtag);
    std::optional<std::uint64_t> cdr = heap.word_at(list + 1);
    if (!car || !cdr)
      return unknown("a cons of *SHARED-OBJECTS* is outside the heap");
    std::optional<std::string> name = instance_namestring(heap, *car);
    if (!name)
      return unknown("an element of *SHARED-OBJECTS* is not a shared-object with a namestring");
    out.names.push_back(std::move(*name));
    list = *cdr;
  }
  return out;
}

// Only the layout that was checked byte by byte is walked.
std::string unverified_layout(const CoreHeader &header, const std::vector<PlacedSpace> &spaces) {
  const WordFormat &word = header.location.word;
  if (word.size != 8 || word.big_endian)
    return "the object layout is verified only for x86-64; this core has " +
           std::to_string(word.size * 8) + "-bit " + (word.big_endian ? "big" : "little") + "-endian words";
  if (header.page_size != 32768)
    return "the object layout is verified only for x86-64 (32768-byte pages); this core has " +
           std::to_string(header.page_size) + "-byte pages";
  bool fixedobj = false, text = false;
  for (const PlacedSpace &space : spaces) {
    fixedobj |= space.entry.id == 4;
    text |= space.entry.id == 5;
    if (space.compression == Compression::Zlib)
      return "a space is zlib-compressed (SBCL 2.2.5 or older), outside the verified versions";
    if (space.compression == Compression::Unknown)
      return "a space is compressed with an unrecognised method";
  }
  if (!fixedobj || !text)
    return "no immobile spaces: not the x86-64 layout of SBCL 2.2 to 2.6";
  if (header.build_id_layout.find("unknown") != std::string::npos ||
      header.build_id_layout.find("one character") != std::string::npos)
    return "the BUILD_ID layout (" + header.build_id_layout + ") is not one of SBCL 2.2 to 2.6";
  return {};
}

} // namespace

llvm::Expected<ForeignLibraries> read_foreign_libraries(const FileReader &file, const CoreHeader &header,
                                                        const std::vector<PlacedSpace> &spaces) {
  if (std::string why = unverified_layout(header, spaces); !why.empty())
    return unknown(why);
  llvm::Expected<std::unique_ptr<Heap>> heap = Heap::load(file, spaces);
  if (!heap)
    return heap.takeError();

  std::vector<ForeignLibraries> found;
  for (std::uint64_t name : find_name_strings(**heap))
    for (std::uint64_t symbol : find_symbols(**heap, name | kOtherLowtag))
      found.push_back(walk_value(**heap, symbol));
  if (found.empty())
    return unknown("no symbol named *SHARED-OBJECTS* in the heap");
  std::vector<const ForeignLibraries *> lists;
  for (const ForeignLibraries &candidate : found)
    if (candidate.known)
      lists.push_back(&candidate);
  if (lists.empty())
    return found.front();
  for (const ForeignLibraries *list : lists)
    if (list->names != lists.front()->names)
      return unknown("several symbols named *SHARED-OBJECTS* hold different lists");
  return *lists.front();
}

} // namespace abitag::sbcl
