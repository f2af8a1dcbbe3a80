// SPDX-License-Identifier: MIT
// Decoding a Marshal value with an explicit stack: a list nests one block
// per element, so a recursive reader runs out of stack on a large library
// (ocamlcommon.cma). Every length read is checked against the bytes left, so
// a damaged file is an error, never a read past it or a huge allocation.
#include "analyzers/ocaml/marshal.h"

#include <algorithm>

#include "fingerprint/errors.h"

namespace abitag::ocaml {
namespace {

constexpr std::uint32_t kSmallMagic = 0x8495A6BE, kBigMagic = 0x8495A6BF, kCompressedMagic = 0x8495A6BD;

std::uint64_t big_endian(std::string_view bytes, std::size_t at, int width) {
  std::uint64_t out = 0;
  for (int i = 0; i < width; ++i)
    out = out << 8 | std::uint8_t(bytes[at + i]);
  return out;
}

struct Header {
  std::size_t size = 0;     // of the header
  std::uint64_t data = 0;   // bytes of data after it
  std::uint64_t objects = 0;
};

llvm::Expected<Header> read_header(std::string_view file, std::size_t offset) {
  std::string where = "the Marshal value at offset " + std::to_string(offset);
  if (offset > file.size() || file.size() - offset < 20)
    return make_error("truncated: " + where + " has no room for its 20-byte header");
  std::uint32_t magic = std::uint32_t(big_endian(file, offset, 4));
  Header out;
  if (magic == kSmallMagic) {
    out = {20, big_endian(file, offset + 4, 4), big_endian(file, offset + 8, 4)};
  } else if (magic == kBigMagic) {
    if (file.size() - offset < 32)
      return make_error("truncated: " + where + " has no room for its 32-byte header");
    out = {32, big_endian(file, offset + 8, 8), big_endian(file, offset + 16, 8)};
  } else if (magic == kCompressedMagic) {
    return make_error(where + " is compressed (OCaml 5.1 or later with zstd), which abitag does not read");
  } else {
    return make_error(where + " does not start with a Marshal magic number");
  }
  if (out.data > file.size() - offset - out.size)
    return make_error("truncated: " + where + " claims " + std::to_string(out.data) + " bytes of data, past the end of the file (" +
                      std::to_string(file.size()) + " bytes)");
  return out;
}

// Reads the codes of one value; `at` runs over DATA.
class Decoder {
public:
  Decoder(std::string_view data, std::size_t start, std::uint64_t objects, MarshalValue &out)
      : data_(data), at_(start), objects_limit_(objects), out_(out) {}

  llvm::Error run() {
    llvm::Expected<std::uint32_t> root = item();
    if (!root)
      return root.takeError();
    out_.root = *root;
    while (!stack_.empty()) {
      Pending &top = stack_.back();
      if (top.next == top.size) {
        stack_.pop_back();
        continue;
      }
      std::uint32_t slot = top.first + top.next++;
      llvm::Expected<std::uint32_t> child = item(); // may push: TOP is not used after
      if (!child)
        return child.takeError();
      out_.fields[slot] = *child;
    }
    if (at_ != data_.size())
      return fail("the value ends " + std::to_string(data_.size() - at_) + " bytes before its data does");
    return llvm::Error::success();
  }

private:
  struct Pending {
    std::uint32_t first, size, next;
  };

  llvm::Error fail(const std::string &what) const {
    return make_error("damaged Marshal data at byte " + std::to_string(at_) + " of the value: " + what);
  }
  bool has(std::uint64_t bytes) const { return bytes <= data_.size() - at_; }
  std::uint64_t take(int width) {
    std::uint64_t out = big_endian(data_, at_, width);
    at_ += width;
    return out;
  }

  std::uint32_t add(MarshalNode node, bool counted) {
    out_.nodes.push_back(node);
    std::uint32_t index = std::uint32_t(out_.nodes.size() - 1);
    if (counted)
      objects_.push_back(index);
    return index;
  }
  llvm::Expected<std::uint32_t> number(std::int64_t value) {
    MarshalNode node;
    node.number = value;
    return add(node, false);
  }
  llvm::Expected<std::uint32_t> block(std::uint8_t tag, std::uint64_t size) {
    MarshalNode node;
    node.kind = MarshalNode::Block;
    node.tag = tag;
    if (size == 0)
      return add(node, false); // atoms take no object index
    if (!has(size)) // every field takes at least one byte
      return fail("a block of " + std::to_string(size) + " fields in " + std::to_string(data_.size() - at_) + " bytes");
    node.first = std::uint32_t(out_.fields.size());
    node.size = std::uint32_t(size);
    out_.fields.resize(out_.fields.size() + size, 0);
    std::uint32_t index = add(node, true);
    stack_.push_back({node.first, node.size, 0});
    return index;
  }
  llvm::Expected<std::uint32_t> string(std::uint64_t length) {
    if (!has(length))
      return fail("a string of " + std::to_string(length) + " bytes runs past the data");
    MarshalNode node;
    node.kind = MarshalNode::String;
    node.text = data_.substr(at_, length);
    at_ += length;
    return add(node, true);
  }
  llvm::Expected<std::uint32_t> skipped(std::uint64_t length) { // a float, float array or custom
    if (!has(length))
      return fail("a value of " + std::to_string(length) + " bytes runs past the data");
    at_ += length;
    MarshalNode node;
    node.kind = MarshalNode::Other;
    return add(node, true);
  }
  llvm::Expected<std::uint32_t> shared(std::uint64_t offset) {
    if (offset == 0 || offset > objects_.size())
      return fail("a shared reference to object -" + std::to_string(offset) + " of " + std::to_string(objects_.size()));
    return objects_[objects_.size() - offset];
  }
  llvm::Expected<std::uint32_t> float_array(int length_width) {
    if (!has(length_width))
      return fail("a float array's length runs past the data");
    std::uint64_t length = take(length_width);
    if (length > data_.size()) // also keeps length * 8 from overflowing
      return fail("a float array of " + std::to_string(length) + " floats runs past the data");
    return skipped(length * 8);
  }
  llvm::Expected<std::uint32_t> custom(int code);
  llvm::Expected<std::uint32_t> item();

  std::string_view data_;
  std::size_t at_;
  std::uint64_t objects_limit_;
  MarshalValue &out_;
  std::vector<std::uint32_t> objects_; // object index -> node
  std::vector<Pending> stack_;
};

// The customs the compiler writes (structured constants in a .cmo's
// relocations): int32 "_i", int64 "_j", nativeint "_n" (a width byte, then
// 4 or 8 bytes). CODE_CUSTOM_LEN says its length; the others do not.
llvm::Expected<std::uint32_t> Decoder::custom(int code) {
  std::size_t nul = data_.find('\0', at_);
  if (nul == std::string_view::npos)
    return fail("a custom value's name runs past the data");
  std::string_view id = data_.substr(at_, nul - at_);
  at_ = nul + 1;
  if (code == 0x18) {
    if (!has(12))
      return fail("custom value " + std::string(id) + "'s lengths run past the data");
    at_ += 4;
    return skipped(take(8));
  }
  if (id == "_i")
    return skipped(4);
  if (id == "_j")
    return skipped(8);
  if (id == "_n") {
    if (!has(1))
      return fail("a nativeint's width runs past the data");
    return skipped(1 + (data_[at_] == 1 ? 4 : 8));
  }
  return fail("a custom value of unknown kind \"" + std::string(id.substr(0, 32)) + "\"");
}

llvm::Expected<std::uint32_t> Decoder::item() {
  if (!has(1))
    return fail("the data ends inside the value");
  if (objects_.size() > objects_limit_)
    return fail("more objects than the header's " + std::to_string(objects_limit_));
  int code = std::uint8_t(data_[at_++]);
  if (code >= 0x80)
    return block(code & 0xF, (code >> 4) & 7);
  if (code >= 0x40)
    return number(code & 0x3F);
  if (code >= 0x20)
    return string(code & 0x1F);
  static const int widths[0x1A] = {1, 2, 4, 8, 1, 2, 4, 4, 4, 1, 4, 8, 8, 1, 1, 4, 0, 0, 0, 8, 8, 8, 8, 8, 0, 0};
  if (code < 0x1A && widths[code] && !has(widths[code]))
    return fail("code " + std::to_string(code) + "'s operand runs past the data");
  switch (code) {
  case 0x00: return number(std::int8_t(take(1)));
  case 0x01: return number(std::int16_t(take(2)));
  case 0x02: return number(std::int32_t(take(4)));
  case 0x03: return number(std::int64_t(take(8)));
  case 0x04: return shared(take(1));
  case 0x05: return shared(take(2));
  case 0x06: return shared(take(4));
  case 0x14: return shared(take(8));
  case 0x08: {
    std::uint64_t header = take(4);
    return block(header & 0xFF, header >> 10);
  }
  case 0x13: {
    std::uint64_t header = take(8);
    return block(header & 0xFF, header >> 10);
  }
  case 0x09: return string(take(1));
  case 0x0A: return string(take(4));
  case 0x15: return string(take(8));
  case 0x0B: case 0x0C: return skipped(8);
  case 0x0D: case 0x0E: return float_array(1);
  case 0x07: case 0x0F: return float_array(4);
  case 0x16: case 0x17: return float_array(8);
  case 0x12: case 0x18: case 0x19: return custom(code);
  case 0x10: case 0x11: return fail("a code pointer, which no compiler file holds");
  default: return fail("unknown code " + std::to_string(code));
  }
}

} // namespace

bool MarshalValue::list(const MarshalNode &head, std::vector<const MarshalNode *> &out) const {
  const MarshalNode *at = &head;
  for (std::size_t steps = 0; steps <= nodes.size(); ++steps) {
    if (at->kind == MarshalNode::Int && at->number == 0)
      return true;
    if (at->kind != MarshalNode::Block || at->tag != 0 || at->size != 2)
      return false;
    out.push_back(field(*at, 0));
    at = field(*at, 1);
  }
  return false;
}

llvm::Expected<std::size_t> marshal_end(std::string_view file, std::size_t offset) {
  llvm::Expected<Header> header = read_header(file, offset);
  if (!header)
    return header.takeError();
  return offset + header->size + header->data;
}

llvm::Expected<MarshalValue> read_marshal(std::string_view file, std::size_t offset) {
  llvm::Expected<Header> header = read_header(file, offset);
  if (!header)
    return header.takeError();
  MarshalValue out;
  std::string_view data = file.substr(offset + header->size, header->data);
  // Every object is a node, and most blocks have two fields (list cells,
  // pairs); the header's count is bounded by the data's bytes.
  std::size_t objects = std::size_t(std::min<std::uint64_t>(header->objects, header->data));
  out.nodes.reserve(objects + objects / 4);
  out.fields.reserve(2 * objects);
  Decoder decoder(data, 0, header->objects, out);
  if (llvm::Error error = decoder.run())
    return error;
  out.end = offset + header->size + header->data;
  return out;
}

} // namespace abitag::ocaml
