// SPDX-License-Identifier: MIT
#include "elf/symbol_reader.h"

#include <cstring>
#include <vector>

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/Archive.h>
#include <llvm/Support/Path.h>

#include "elf/archive_index.h"
#include "elf/elf_file.h"
#include "elf/elf_tables.h"
#include "elf/lto_symtab.h"
#include "elf/symbol_versions.h"
#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"

namespace abitag::elf {

using llvm::Expected;
using llvm::MemoryBufferRef;
using llvm::StringRef;
using namespace llvm::object;

namespace {

// ARM, AArch64 and RISC-V mapping symbols ($a, $d, $t, $x, "$d.1"...) mark
// code and data inside sections; nm hides them, and so does abitag.
bool has_mapping_symbols(uint16_t machine) {
  return machine == llvm::ELF::EM_ARM || machine == llvm::ELF::EM_AARCH64 || machine == llvm::ELF::EM_RISCV ||
         machine == llvm::ELF::EM_CSKY;
}

bool is_mapping_symbol(StringRef name) {
  if (name.size() < 2 || name[0] != '$' || !StringRef("adtx").contains(name[1]))
    return false;
  return name.size() == 2 || name[2] == '.';
}

// A section letter as nm shows it for a global symbol (they are ASCII).
char global_letter(char letter) {
  return letter >= 'a' && letter <= 'z' ? static_cast<char>(letter - 'a' + 'A') : letter;
}

// Fills in undefined/weak/local and nm's letter for one ELF symbol defined
// in a section of kind SECTION (or SHN_UNDEF, SHN_ABS, SHN_COMMON).
void set_kind(Symbol &out, uint8_t binding, uint8_t type, uint32_t shndx, char section) {
  out.undefined = shndx == llvm::ELF::SHN_UNDEF;
  out.weak = binding == llvm::ELF::STB_WEAK;
  out.local = binding == llvm::ELF::STB_LOCAL;
  bool object = type == llvm::ELF::STT_OBJECT;
  char letter;
  if (out.undefined)
    letter = out.weak ? (object ? 'v' : 'w') : 'U';
  else if (binding == llvm::ELF::STB_GNU_UNIQUE)
    letter = 'u';
  else if (type == llvm::ELF::STT_GNU_IFUNC)
    letter = 'i';
  else if (out.weak)
    letter = object ? 'V' : 'W';
  else if (shndx == llvm::ELF::SHN_COMMON || type == llvm::ELF::STT_COMMON)
    letter = out.local ? 'c' : 'C';
  else if (shndx == llvm::ELF::SHN_ABS)
    letter = out.local ? 'a' : 'A';
  else
    letter = out.local ? section : global_letter(section);
  out.type = letter;
}

// The symbols of a slim LTO object, from its .gnu.lto_.symtab section.
llvm::Error read_lto_symbols(StringRef contents, ObjectSymbols &out) {
  Expected<std::vector<LtoSymbol>> symbols = parse_lto_symtab(contents);
  if (!symbols)
    return symbols.takeError();
  for (const LtoSymbol &lto : *symbols) {
    Symbol sym;
    sym.name = lto.name;
    sym.index = static_cast<uint32_t>(out.symbols.size());
    switch (lto.kind) {
    case LtoSymbol::Def: sym.type = 'T'; break;
    case LtoSymbol::WeakDef: sym.type = 'W'; sym.weak = true; break;
    case LtoSymbol::Undef: sym.type = 'U'; sym.undefined = true; break;
    case LtoSymbol::WeakUndef: sym.type = 'w'; sym.undefined = sym.weak = true; break;
    case LtoSymbol::Common: sym.type = 'C'; break;
    }
    out.symbols.push_back(sym);
  }
  out.slim_lto = true;
  return llvm::Error::success();
}

// Reads symbol I of TABLES into SYMBOL: false when it is not one nm would show.
template <class ELFT> class SymbolWalker {
public:
  SymbolWalker(const ElfTables<ELFT> &tables, const SymbolVersions &versions, uint16_t machine)
      : tables_(tables), versions_(versions), mapping_symbols_(has_mapping_symbols(machine)) {}

  Expected<bool> read(size_t i, Symbol &symbol) const {
    const auto &raw = tables_.symbols[i];
    uint8_t type = raw.getType();
    if (type == llvm::ELF::STT_SECTION || type == llvm::ELF::STT_FILE)
      return false;
    Expected<StringRef> name = raw.getName(tables_.strings);
    if (!name)
      return name.takeError();
    if (name->empty() || (mapping_symbols_ && is_mapping_symbol(*name)))
      return false;
    uint32_t shndx = raw.st_shndx;
    if (shndx == llvm::ELF::SHN_XINDEX) {
      // More than 65279 sections: the real index is in SHT_SYMTAB_SHNDX.
      if (i >= tables_.extended_indexes.size())
        return make_error("symbol " + std::to_string(i) + " has no extended section index");
      shndx = tables_.extended_indexes[i];
    }
    if (tables_.relocatable && shndx != llvm::ELF::SHN_UNDEF && shndx < llvm::ELF::SHN_LORESERVE)
      if (llvm::Error e = check_object_symbol(i, type, raw.getBinding(), shndx,
                                              shndx < tables_.sections.size() ? &tables_.sections[shndx] : nullptr))
        return e;
    symbol.name = *name;
    symbol.index = static_cast<uint32_t>(i);
    SectionKind section = tables_.section_of(shndx, raw);
    set_kind(symbol, raw.getBinding(), type, shndx, section.letter);
    if (tables_.relocatable && symbol.type == 'n' && section.group)
      return false; // a COMDAT group signature, not a symbol of the program
    if (!tables_.relocatable) {
      symbol.version = versions_.name(i);
      symbol.default_version = versions_.is_default(i, symbol.undefined);
      if (symbol.version == symbol.name)
        symbol.version = {}; // the version's own marker symbol (GLIBC_2.2.5): nm shows it bare
    }
    return true;
  }

  // The symbols at ONLY, in that order; each must be one nm shows.
  llvm::Error read_only(const std::vector<std::size_t> &only, ObjectSymbols &out) const {
    out.symbols.reserve(only.size());
    for (size_t i : only) {
      Symbol symbol;
      Expected<bool> shown = i > 0 && i < tables_.symbols.size() ? read(i, symbol) : false;
      if (!shown)
        return shown.takeError();
      if (!*shown)
        return make_error("symbol " + std::to_string(i) + " is not in the symbol table");
      out.symbols.push_back(symbol);
    }
    return llvm::Error::success();
  }

  // Every symbol nm shows; whether one is the slim LTO marker.
  Expected<bool> read_all(ObjectSymbols &out) const {
    out.symbols.reserve(tables_.symbols.size());
    bool lto_marker = false;
    // The names are in string table order, not symbol order (the linker sorts
    // .dynsym by hash bucket): each is a cache miss unless asked for ahead.
    constexpr size_t kAhead = 8;
    for (size_t i = 1; i < tables_.symbols.size(); ++i) { // 0 is the null symbol
      if (i + kAhead < tables_.symbols.size() && tables_.symbols[i + kAhead].st_name < tables_.strings.size())
        __builtin_prefetch(tables_.strings.data() + tables_.symbols[i + kAhead].st_name);
      Symbol symbol;
      Expected<bool> shown = read(i, symbol);
      if (!shown)
        return shown.takeError();
      if (!*shown)
        continue;
      lto_marker |= symbol.name == "__gnu_lto_slim";
      out.symbols.push_back(symbol);
    }
    return lto_marker;
  }

private:
  const ElfTables<ELFT> &tables_;
  const SymbolVersions &versions_;
  bool mapping_symbols_;
};

// Reads one ELF object: its tables are located once (elf_tables.h), then
// walked as plain arrays. ONLY: the indexes of the symbols to read, when
// not all of them.
template <class ELFT>
Expected<ObjectSymbols> read_elf(const ELFFile<ELFT> &elf, const std::vector<std::size_t> *only = nullptr) {
  // A few symbols: their pages alone are faulted in, not asked for ahead.
  Expected<ElfTables<ELFT>> tables = locate_elf_tables(elf, /*ask_ahead=*/!only);
  if (!tables)
    return tables.takeError();
  ObjectSymbols out;
  out.compilers = std::move(tables->compilers);
  out.read_through_loader = tables->read_through_loader;
  if (!tables->relocatable) {
    Expected<SymbolVersions> versions = read_symbol_versions<ELFT>(tables->versions);
    if (!versions)
      return versions.takeError();
    out.versions = std::move(*versions);
  }
  SymbolWalker<ELFT> walker(*tables, out.versions, elf.getHeader().e_machine);
  if (only) {
    if (llvm::Error e = walker.read_only(*only, out))
      return e;
    return out;
  }
  Expected<bool> lto_marker = walker.read_all(out);
  if (!lto_marker)
    return lto_marker.takeError();
  if (*lto_marker) {
    // A slim object's ELF symbols are only the marker and locals; its real
    // symbols are in the LTO table (what nm shows through the LTO plugin).
    if (tables->lto_tables.empty())
      return make_error("a slim LTO object (__gnu_lto_slim) without an LTO symbol table (.gnu.lto_.symtab)");
    out.symbols.clear();
    for (StringRef table : tables->lto_tables)
      if (llvm::Error e = read_lto_symbols(table, out))
        return e;
  }
  return out;
}

Expected<ObjectSymbols> read_binary(MemoryBufferRef buffer, const std::vector<std::size_t> *only = nullptr) {
  return with_elf_file(buffer.getBuffer(), [&](const auto &elf) { return read_elf(elf, only); });
}

// A thin archive names its members by path, relative to the archive. They
// are read only when they stay inside the archive's folder tree, so a
// crafted archive cannot make abitag read /etc/shadow or the build host.
Expected<MemoryBufferRef> thin_member(const std::string &archive_path, StringRef member,
                                      SymbolFile &file) {
  if (member.startswith("/") || member == ".." || member.startswith("../") ||
      member.contains("/../") || member.endswith("/.."))
    return make_error("thin archive member '" + member.str() + "' is outside the archive's folder");
  llvm::SmallString<256> path(llvm::sys::path::parent_path(archive_path));
  llvm::sys::path::append(path, member);
  auto buffer = map_file(std::string(path));
  if (!buffer)
    return make_error("thin archive member '" + member.str() + "': " +
                      to_message(buffer.takeError()));
  file.buffers.push_back(std::move(*buffer));
  return file.buffers.back()->getMemBufferRef();
}

bool inside(StringRef part, StringRef whole) {
  return part.begin() >= whole.begin() && part.begin() <= whole.end() &&
         part.size() <= static_cast<std::size_t>(whole.end() - part.begin());
}

// Copies what OBJECT's names and .comment strings point to into OBJECT, so
// that the archive member they were read from can be dropped from memory
// once read (done_reading): they are a small part of its pages, and each
// read of them would map again the pages around it.
void own_strings(ObjectSymbols &object) {
  std::size_t size = 0;
  for (const Symbol &symbol : object.symbols)
    size += symbol.name.size() + symbol.version.size();
  for (StringRef compiler : object.compilers)
    size += compiler.size();
  object.strings.resize(size);
  char *next = object.strings.data();
  auto copy = [&](StringRef &text) {
    if (text.empty())
      return;
    std::memcpy(next, text.data(), text.size());
    text = StringRef(next, text.size());
    next += text.size();
  };
  for (Symbol &symbol : object.symbols) {
    copy(symbol.name);
    copy(symbol.version);
  }
  for (StringRef &compiler : object.compilers)
    copy(compiler);
}

llvm::Error read_archive(const std::string &path, MemoryBufferRef buffer, SymbolFile &file) {
  Expected<ArchiveLayout> layout = read_archive_layout(buffer.getBuffer(), buffer.getBuffer().startswith("!<thin>\n"));
  if (!layout)
    return layout.takeError();
  Expected<std::unique_ptr<Archive>> archive = Archive::create(buffer);
  if (!archive)
    return archive.takeError();
  file.is_archive = true;
  llvm::Error err = llvm::Error::success();
  for (const Archive::Child &child : (*archive)->children(err)) {
    Expected<StringRef> name = child.getName();
    if (!name)
      return name.takeError();
    Expected<MemoryBufferRef> member =
        (*archive)->isThin() ? thin_member(path, *name, file) : child.getMemoryBufferRef();
    if (!member)
      return make_error("member '" + name->str() + "': " + to_message(member.takeError()));
    // LLVM 14 takes a BSD member's name length ("#1/N") on trust and can hand
    // out a member that runs past the archive (found by fuzz_cxxabi).
    if (!(*archive)->isThin() && !inside(member->getBuffer(), buffer.getBuffer()))
      return make_error("member '" + name->str() + "' runs past the end of the archive");
    if (!member->getBuffer().startswith("\x7f" "ELF"))
      continue; // nm, too, passes over members that are not objects
    Expected<ObjectSymbols> symbols = read_binary(*member);
    if (!symbols)
      return make_error("member '" + name->str() + "': " + to_message(symbols.takeError()));
    if (llvm::Error e = check_member_against_index(*layout, child.getChildOffset(), *symbols))
      return make_error("member '" + name->str() + "': " + to_message(std::move(e)));
    symbols->member = name->str();
    if (!(*archive)->isThin()) {
      // Every member up to this one is read: its pages go, and the pages of
      // earlier members that reading this one mapped again around it.
      own_strings(*symbols);
      done_reading(*file.buffers.front(), buffer.getBufferStart(),
                   static_cast<std::size_t>(member->getBufferEnd() - buffer.getBufferStart()));
    }
    file.objects.push_back(std::move(*symbols));
  }
  return err;
}

} // namespace

Expected<SymbolFile> read_symbol_file(const std::string &path) {
  auto buffer = map_file(path, Reading::InParts);
  if (!buffer)
    return buffer.takeError();
  return read_symbol_buffer(std::move(*buffer), path);
}

Expected<SymbolFile> read_symbols_at(const std::string &path, const std::vector<std::size_t> &indexes) {
  auto buffer = map_file(path, Reading::InParts);
  if (!buffer)
    return buffer.takeError();
  SymbolFile file;
  file.buffers.push_back(std::move(*buffer));
  Expected<ObjectSymbols> symbols = read_binary(file.buffers.front()->getMemBufferRef(), &indexes);
  if (!symbols)
    return symbols.takeError();
  file.objects.push_back(std::move(*symbols));
  return file;
}

Expected<SymbolFile> read_symbol_buffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                        const std::string &path) {
  SymbolFile file;
  MemoryBufferRef ref = buffer->getMemBufferRef();
  file.buffers.push_back(std::move(buffer));
  StringRef bytes = ref.getBuffer();
  if (bytes.startswith("!<arch>\n") || bytes.startswith("!<thin>\n")) {
    read_whole(*file.buffers.front()); // member after member, to the end
    if (llvm::Error e = read_archive(path, ref, file))
      return e;
    return file;
  }
  Expected<ObjectSymbols> symbols = read_binary(ref);
  if (!symbols)
    return symbols.takeError();
  file.objects.push_back(std::move(*symbols));
  return file;
}

Expected<SymbolFile> read_object_symbols(llvm::MemoryBufferRef buffer, const std::string &path) {
  Expected<SymbolFile> read =
      read_symbol_buffer(llvm::MemoryBuffer::getMemBuffer(buffer, /*RequiresNullTerminator=*/false), path);
  if (!read)
    return read.takeError();
  if (read->is_archive || read->objects.size() != 1)
    return make_error("not an ELF program or shared object");
  return read;
}

std::string unmet_imports(const std::vector<std::string> &imports, const std::set<std::string> &exports) {
  std::string first;
  std::size_t more = 0;
  for (const std::string &name : imports)
    if (!exports.count(name))
      (first.empty() ? (void)(first = name) : (void)++more);
  if (first.empty())
    return {};
  return first + (more ? " (and " + std::to_string(more) + " more)" : "");
}

} // namespace abitag::elf
