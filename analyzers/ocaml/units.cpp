// SPDX-License-Identifier: MIT
// Reading compiled units (OCaml 4.x layouts, utils/config's magic numbers):
//  .cmi   magic, value (name, signature), value crcs, value flags; the
//         first crcs entry is the unit itself
//  .cmo   magic, u32 offset of the compilation_unit record (cu_imports is field 4)
//  .cma   magic, u32 offset of the library record (lib_units, field 0)
//  .cmx   magic, value unit_infos (ui_name 0, ui_imports_cmi 3,
//         ui_imports_cmx 4), then the 16-byte implementation digest
//  .cmxa  magic, value library_infos (lib_units: (unit_infos * digest) list)
//  .cmxs  ELF; symbol caml_plugin_header: value {dynu_magic; dynu_units:
//         {name; crc; imports_cmi; imports_cmx; defines} list}
// A .cmo or .cmx lists its own interface among its imports; it is taken out
// as the unit's interface digest.
#include <llvm/Object/ELFObjectFile.h>

#include "analyzers/ocaml/marshal.h"
#include "analyzers/ocaml/ocaml.h"
#include "fingerprint/errors.h"

namespace abitag::ocaml {
namespace {

constexpr std::size_t kMagicSize = 12;

std::string hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += digits[std::uint8_t(c) >> 4];
    out += digits[std::uint8_t(c) & 15];
  }
  return out;
}

llvm::Error layout_error(const std::string &what) {
  return make_error("not the compiler's layout: " + what);
}

const MarshalNode *string_field(const MarshalValue &v, const MarshalNode &block, std::size_t i) {
  const MarshalNode *field = v.field(block, i);
  return field && field->kind == MarshalNode::String ? field : nullptr;
}

// A crcs list: (string * Digest.t option) list.
llvm::Expected<std::vector<Import>> read_crcs(const MarshalValue &v, const MarshalNode *list) {
  std::vector<const MarshalNode *> items;
  if (!list || !v.list(*list, items))
    return layout_error("a digest list is no list");
  std::vector<Import> out;
  for (const MarshalNode *item : items) {
    const MarshalNode *name = string_field(v, *item, 0);
    const MarshalNode *crc = v.field(*item, 1);
    if (!name || !crc)
      return layout_error("a digest list entry is no (name, digest) pair");
    Import import{std::string(name->text), {}};
    if (crc->kind == MarshalNode::Block) {
      const MarshalNode *digest = string_field(v, *crc, 0);
      if (!digest || digest->text.size() != 16)
        return layout_error("the digest of " + import.name + " is no 16-byte string");
      import.crc = hex(digest->text);
    } else if (crc->kind != MarshalNode::Int) {
      return layout_error("the digest of " + import.name + " is no option");
    }
    out.push_back(std::move(import));
  }
  return out;
}

// Moves the unit's own entry out of its interface imports.
void take_own_interface(CompilationUnit &unit) {
  for (auto it = unit.interfaces.begin(); it != unit.interfaces.end(); ++it)
    if (it->name == unit.name) {
      unit.interface_crc = it->crc;
      unit.interfaces.erase(it);
      return;
    }
}

// A record with a name (field NAME) and interface / implementation digest
// lists (fields CMI, CMX; CMX < 0: bytecode, none).
llvm::Expected<CompilationUnit> read_unit(const MarshalValue &v, const MarshalNode *record, int name, int cmi, int cmx) {
  const MarshalNode *unit_name = record ? string_field(v, *record, name) : nullptr;
  if (!unit_name)
    return layout_error("a compilation unit record has no name");
  CompilationUnit out;
  out.name = std::string(unit_name->text);
  llvm::Expected<std::vector<Import>> interfaces = read_crcs(v, v.field(*record, cmi));
  if (!interfaces)
    return interfaces.takeError();
  out.interfaces = std::move(*interfaces);
  if (cmx >= 0) {
    llvm::Expected<std::vector<Import>> implementations = read_crcs(v, v.field(*record, cmx));
    if (!implementations)
      return implementations.takeError();
    out.implementations = std::move(*implementations);
  }
  take_own_interface(out);
  return out;
}

// The units of a list of records (a library's, a plugin's); ELEMENT picks
// the record out of an element (a .cmxa pairs it with its digest).
llvm::Error read_units(const MarshalValue &v, const MarshalNode *list, int name, int cmi, int cmx, bool paired,
                       std::vector<CompilationUnit> &out) {
  std::vector<const MarshalNode *> items;
  if (!list || !v.list(*list, items))
    return layout_error("the library's unit list is no list");
  for (const MarshalNode *item : items) {
    const MarshalNode *record = paired ? v.field(*item, 0) : item;
    llvm::Expected<CompilationUnit> unit = read_unit(v, record, name, cmi, cmx);
    if (!unit)
      return unit.takeError();
    if (paired) {
      const MarshalNode *digest = string_field(v, *item, 1);
      if (!digest || digest->text.size() != 16)
        return layout_error("the implementation digest of " + unit->name + " is no 16-byte string");
      unit->implementation_crc = hex(digest->text);
    } else if (cmx >= 0) {
      const MarshalNode *digest = string_field(v, *record, 1); // dynu_crc
      if (!digest || digest->text.size() != 16)
        return layout_error("the implementation digest of " + unit->name + " is no 16-byte string");
      unit->implementation_crc = hex(digest->text);
    }
    out.push_back(std::move(*unit));
  }
  return llvm::Error::success();
}

llvm::Error read_cmi(std::string_view bytes, OcamlFile &out) {
  llvm::Expected<std::size_t> signature_end = marshal_end(bytes, kMagicSize);
  if (!signature_end)
    return signature_end.takeError();
  llvm::Expected<MarshalValue> crcs = read_marshal(bytes, *signature_end);
  if (!crcs)
    return crcs.takeError();
  llvm::Expected<std::vector<Import>> imports = read_crcs(*crcs, &crcs->node(crcs->root));
  if (!imports)
    return imports.takeError();
  if (imports->empty())
    return layout_error("the interface's digest list does not name the unit itself");
  CompilationUnit unit;
  unit.name = imports->front().name;
  unit.interface_crc = imports->front().crc;
  unit.interfaces.assign(imports->begin() + 1, imports->end());
  out.units.push_back(std::move(unit));
  return llvm::Error::success();
}

// .cmo and .cma: the record is at the offset the 4 bytes after the magic give.
llvm::Error read_bytecode(std::string_view bytes, OcamlFile &out) {
  if (bytes.size() < kMagicSize + 4)
    return make_error("truncated: " + std::to_string(bytes.size()) + " bytes, no room for the descriptor's offset");
  std::uint32_t offset = 0;
  for (int i = 0; i < 4; ++i)
    offset = offset << 8 | std::uint8_t(bytes[kMagicSize + i]);
  if (offset < kMagicSize + 4 || offset >= bytes.size())
    return make_error("truncated: the descriptor's offset " + std::to_string(offset) + " lies outside the file (" +
                      std::to_string(bytes.size()) + " bytes)");
  llvm::Expected<MarshalValue> v = read_marshal(bytes, offset);
  if (!v)
    return v.takeError();
  const MarshalNode &root = v->node(v->root);
  if (out.kind == FileKind::Cma)
    return read_units(*v, v->field(root, 0), 0, 4, -1, false, out.units);
  llvm::Expected<CompilationUnit> unit = read_unit(*v, &root, 0, 4, -1);
  if (!unit)
    return unit.takeError();
  out.units.push_back(std::move(*unit));
  return llvm::Error::success();
}

llvm::Error read_native(std::string_view bytes, OcamlFile &out) {
  llvm::Expected<MarshalValue> v = read_marshal(bytes, kMagicSize);
  if (!v)
    return v.takeError();
  const MarshalNode &root = v->node(v->root);
  if (out.kind == FileKind::Cmxa)
    return read_units(*v, v->field(root, 0), 0, 3, 4, true, out.units);
  llvm::Expected<CompilationUnit> unit = read_unit(*v, &root, 0, 3, 4);
  if (!unit)
    return unit.takeError();
  if (bytes.size() - v->end < 16)
    return make_error("truncated: the implementation digest after the unit's description is missing");
  unit->implementation_crc = hex(bytes.substr(v->end, 16));
  out.units.push_back(std::move(*unit));
  return llvm::Error::success();
}

// The bytes of the plugin header the symbol points at, to the end of its section.
llvm::Expected<std::string_view> plugin_header(std::string_view bytes, const std::string &path) {
  llvm::MemoryBufferRef buffer(llvm::StringRef(bytes.data(), bytes.size()), path);
  llvm::Expected<std::unique_ptr<llvm::object::ObjectFile>> object =
      llvm::object::ObjectFile::createELFObjectFile(buffer);
  if (!object)
    return object.takeError();
  auto *elf = llvm::dyn_cast<llvm::object::ELFObjectFileBase>(object->get());
  for (const llvm::object::ELFSymbolRef &symbol : elf->getDynamicSymbolIterators()) {
    llvm::Expected<llvm::StringRef> name = symbol.getName();
    if (!name)
      return name.takeError();
    if (*name != "caml_plugin_header")
      continue;
    llvm::Expected<std::uint64_t> address = symbol.getAddress();
    if (!address)
      return address.takeError();
    llvm::Expected<llvm::object::section_iterator> section = symbol.getSection();
    if (!section)
      return section.takeError();
    if (*section == elf->section_end())
      return make_error("caml_plugin_header is in no section");
    llvm::Expected<llvm::StringRef> contents = (*section)->getContents();
    if (!contents)
      return contents.takeError();
    std::uint64_t start = (*section)->getAddress();
    if (*address < start || *address - start >= contents->size())
      return make_error("caml_plugin_header lies outside its section");
    return std::string_view(contents->data(), contents->size()).substr(*address - start);
  }
  return make_error("an ELF file without caml_plugin_header: no OCaml plugin");
}

llvm::Error read_plugin(std::string_view bytes, OcamlFile &out) {
  llvm::Expected<std::string_view> header = plugin_header(bytes, out.path);
  if (!header)
    return header.takeError();
  llvm::Expected<MarshalValue> v = read_marshal(*header, 0);
  if (!v)
    return v.takeError();
  const MarshalNode &root = v->node(v->root);
  const MarshalNode *magic = string_field(*v, root, 0);
  if (!magic)
    return layout_error("the plugin header has no magic number");
  out.magic = std::string(magic->text.substr(0, 32));
  return read_units(*v, v->field(root, 1), 0, 2, 3, false, out.units);
}

bool kind_of(char letter, FileKind &kind) {
  switch (letter) {
  case 'I': kind = FileKind::Cmi; return true;
  case 'O': kind = FileKind::Cmo; return true;
  case 'A': kind = FileKind::Cma; return true;
  case 'Y': case 'y': kind = FileKind::Cmx; return true;
  case 'Z': case 'z': kind = FileKind::Cmxa; return true;
  default: return false;
  }
}

} // namespace

const char *kind_name(FileKind kind) {
  static const char *names[] = {"cmi", "cmo", "cma", "cmx", "cmxa", "cmxs"};
  return names[static_cast<int>(kind)];
}

bool looks_like_unit(std::string_view head) {
  FileKind kind;
  return head.size() >= kMagicSize && head.substr(0, 8) == "Caml1999" && kind_of(head[8], kind);
}

llvm::Expected<OcamlFile> read_ocaml_file(std::string_view bytes, const std::string &path) {
  OcamlFile out;
  out.path = path;
  if (bytes.substr(0, 4) == "\x7f" "ELF") {
    out.kind = FileKind::Cmxs;
    if (llvm::Error error = read_plugin(bytes, out))
      return error;
    return out;
  }
  if (bytes.substr(0, 8) != "Caml1999" || bytes.size() < 9 || !kind_of(bytes[8], out.kind))
    return make_error("not a compiled OCaml interface or implementation (no Caml1999 magic number of a .cmi, .cmo, "
                      ".cma, .cmx or .cmxa)");
  if (bytes.size() < kMagicSize)
    return make_error("truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the magic number");
  out.magic = std::string(bytes.substr(0, kMagicSize));
  llvm::Error error = out.kind == FileKind::Cmi                                   ? read_cmi(bytes, out)
                      : out.kind == FileKind::Cmo || out.kind == FileKind::Cma ? read_bytecode(bytes, out)
                                                                                : read_native(bytes, out);
  if (error)
    return error;
  return out;
}

} // namespace abitag::ocaml
