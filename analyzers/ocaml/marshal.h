// SPDX-License-Identifier: MIT
// OCaml's Marshal format (runtime/caml/intext.h, runtime/intern.c), which the
// compiler writes its .cmi, .cmo, .cma, .cmx, .cmxa and .cmxs headers in:
// a header that gives the data's length, then the value as a stream of
// codes. Only what compiler files hold is decoded (blocks, integers,
// strings, floats and the int32/int64/nativeint customs); code pointers and
// the zstd-compressed form of OCaml 5.1 on are refused by name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>

namespace abitag::ocaml {

// One decoded value. A block's fields are node indexes, kept together in
// MarshalValue::fields from `first` on.
struct MarshalNode {
  enum Kind : std::uint8_t { Int, Block, String, Other } kind = Int; // Other: a float, float array or custom
  std::uint8_t tag = 0;       // Block
  std::int64_t number = 0;    // Int
  std::string_view text;      // String: a view into the file
  std::uint32_t first = 0;    // Block: its first field in MarshalValue::fields
  std::uint32_t size = 0;     // Block: how many fields
};

struct MarshalValue {
  std::vector<MarshalNode> nodes;
  std::vector<std::uint32_t> fields;
  std::uint32_t root = 0;
  std::size_t end = 0; // the offset in the file just past the value

  const MarshalNode &node(std::uint32_t index) const { return nodes[index]; }
  // Field I of NODE, or null when NODE is no block that large.
  const MarshalNode *field(const MarshalNode &node, std::size_t i) const {
    return node.kind == MarshalNode::Block && i < node.size ? &nodes[fields[node.first + i]] : nullptr;
  }
  // The elements of the list NODE (blocks [head; tail] ending in 0); false
  // when NODE is no proper list. Shared references can make a damaged value
  // cyclic: a list longer than the value's nodes is no list.
  bool list(const MarshalNode &node, std::vector<const MarshalNode *> &out) const;
};

// The offset just past the Marshal value at OFFSET of FILE, from its header
// alone; an error when the header is damaged or the data runs past the file.
llvm::Expected<std::size_t> marshal_end(std::string_view file, std::size_t offset);

// Decodes the Marshal value at OFFSET of FILE (the value keeps views into
// FILE). Damage of any kind is an error naming the offset.
llvm::Expected<MarshalValue> read_marshal(std::string_view file, std::size_t offset);

} // namespace abitag::ocaml
