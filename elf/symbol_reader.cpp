#include "elf/symbol_reader.h"

#include <vector>

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/Archive.h>
#include <llvm/Object/Binary.h>
#include <llvm/Support/Path.h>

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

// nm's letter for a symbol defined in a section, from the section's flags.
template <class ELFT>
char section_letter(const ELFFile<ELFT> &elf, const typename ELFT::Shdr &section) {
  uint64_t flags = section.sh_flags;
  uint32_t type = section.sh_type;
  if (type == llvm::ELF::SHT_GROUP)
    return 'n';
  if (!(flags & llvm::ELF::SHF_ALLOC)) {
    Expected<StringRef> name = elf.getSectionName(section);
    bool debug = name && name->startswith(".debug");
    if (!name)
      llvm::consumeError(name.takeError());
    return debug ? 'N' : 'n';
  }
  if (flags & llvm::ELF::SHF_EXECINSTR)
    return 't';
  if (type == llvm::ELF::SHT_NOBITS)
    return 'b';
  if (flags & llvm::ELF::SHF_WRITE)
    return 'd';
  return 'r';
}

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
char global_letter(char letter) { return letter >= 'a' && letter <= 'z' ? static_cast<char>(letter - 'a' + 'A') : letter; }

// Fills in undefined/weak/local and nm's letter for one ELF symbol.
void set_kind(Symbol &out, uint8_t binding, uint8_t type, uint32_t shndx,
              const std::vector<char> &letters) {
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
  else if (shndx < letters.size())
    letter = out.local ? letters[shndx] : global_letter(letters[shndx]);
  else
    letter = '?';
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

// The tables read_elf walks, asked for ahead of the walk: of a large file
// mapped in parts, each is then read in one go (fingerprint/mapped_file.h).
template <class ELFT>
void ask_ahead(const ELFFile<ELFT> &elf, typename ELFT::ShdrRange sections, const typename ELFT::Shdr &symtab,
               bool relocatable) {
  StringRef whole(reinterpret_cast<const char *>(elf.base()), elf.getBufSize());
  auto ask = [&](const typename ELFT::Shdr &section) {
    if (section.sh_type != llvm::ELF::SHT_NOBITS && section.sh_offset <= whole.size() &&
        section.sh_size <= whole.size() - section.sh_offset)
      will_read(whole, whole.data() + section.sh_offset, section.sh_size);
  };
  ask(symtab);
  if (symtab.sh_link < sections.size())
    ask(sections[symtab.sh_link]); // its string table
  if (relocatable)
    return;
  for (const auto &section : sections)
    if (section.sh_type == llvm::ELF::SHT_GNU_versym || section.sh_type == llvm::ELF::SHT_GNU_verdef ||
        section.sh_type == llvm::ELF::SHT_GNU_verneed)
      ask(section);
}

// Reads one ELF object through ELFFile directly: the symbol table and its
// string table are located once, then walked as plain arrays. ONLY: the
// indexes of the symbols to read, when not all of them.
template <class ELFT>
Expected<ObjectSymbols> read_elf(const ELFFile<ELFT> &elf, const std::vector<std::size_t> *only = nullptr) {
  using Shdr = typename ELFT::Shdr;
  ObjectSymbols out;
  auto sections = elf.sections();
  if (!sections)
    return sections.takeError();
  bool relocatable = elf.getHeader().e_type == llvm::ELF::ET_REL;
  uint32_t table_type = relocatable ? llvm::ELF::SHT_SYMTAB : llvm::ELF::SHT_DYNSYM;
  const Shdr *symtab = nullptr;
  std::vector<char> letters(sections->size(), '?');
  std::vector<StringRef> lto_tables;
  for (size_t i = 0; i < sections->size(); ++i) {
    const Shdr &section = (*sections)[i];
    letters[i] = section_letter(elf, section);
    if (section.sh_type == table_type && !symtab)
      symtab = &section;
    if (section.sh_type != llvm::ELF::SHT_PROGBITS)
      continue;
    Expected<StringRef> name = elf.getSectionName(section);
    if (!name)
      return name.takeError();
    if (*name != ".comment" && !name->startswith(".gnu.lto_.symtab."))
      continue;
    Expected<llvm::ArrayRef<uint8_t>> bytes = elf.getSectionContents(section);
    if (!bytes)
      return bytes.takeError();
    StringRef contents = llvm::toStringRef(*bytes);
    if (*name == ".comment") {
      llvm::SmallVector<StringRef, 4> strings;
      contents.split(strings, '\0', -1, /*KeepEmpty=*/false);
      out.compilers.insert(out.compilers.end(), strings.begin(), strings.end());
    } else {
      lto_tables.push_back(contents);
    }
  }
  if (!symtab)
    return out; // a stripped object, or an executable without .dynsym
  if (!only) // a few symbols: their pages alone are faulted in
    ask_ahead(elf, *sections, *symtab, relocatable);

  auto symbols = elf.symbols(symtab);
  if (!symbols)
    return symbols.takeError();
  auto strings = elf.getStringTableForSymtab(*symtab, *sections);
  if (!strings)
    return strings.takeError();
  if (!relocatable) {
    Expected<SymbolVersions> versions = read_symbol_versions(elf);
    if (!versions)
      return versions.takeError();
    out.versions = std::move(*versions);
  }
  llvm::ArrayRef<typename ELFT::Word> extended;
  for (const Shdr &section : *sections) {
    if (section.sh_type != llvm::ELF::SHT_SYMTAB_SHNDX || section.sh_link >= sections->size() ||
        &(*sections)[section.sh_link] != symtab)
      continue;
    auto table = elf.template getSectionContentsAsArray<typename ELFT::Word>(section);
    if (!table)
      return table.takeError();
    extended = *table;
  }
  bool mapping_symbols = has_mapping_symbols(elf.getHeader().e_machine);
  bool lto_marker = false;
  // Symbol I, or false when it is not one nm would show.
  auto read_one = [&](size_t i, Symbol &symbol) -> Expected<bool> {
    const auto &raw = (*symbols)[i];
    uint8_t type = raw.getType();
    if (type == llvm::ELF::STT_SECTION || type == llvm::ELF::STT_FILE)
      return false;
    Expected<StringRef> name = raw.getName(*strings);
    if (!name)
      return name.takeError();
    if (name->empty() || (mapping_symbols && is_mapping_symbol(*name)))
      return false;
    uint32_t shndx = raw.st_shndx;
    if (shndx == llvm::ELF::SHN_XINDEX) {
      // More than 65279 sections: the real index is in SHT_SYMTAB_SHNDX.
      if (i >= extended.size())
        return make_error("symbol " + std::to_string(i) + " has no extended section index");
      shndx = extended[i];
    }
    symbol.name = *name;
    symbol.index = static_cast<uint32_t>(i);
    set_kind(symbol, raw.getBinding(), type, shndx, letters);
    if (relocatable && symbol.type == 'n' && shndx < sections->size() &&
        (*sections)[shndx].sh_type == llvm::ELF::SHT_GROUP)
      return false; // a COMDAT group signature, not a symbol of the program
    if (!relocatable) {
      symbol.version = out.versions.name(i);
      symbol.default_version = out.versions.is_default(i, symbol.undefined);
      if (symbol.version == symbol.name)
        symbol.version = {}; // the version's own marker symbol (GLIBC_2.2.5): nm shows it bare
    }
    return true;
  };
  if (only) {
    out.symbols.reserve(only->size());
    for (size_t i : *only) {
      Symbol symbol;
      Expected<bool> shown = i > 0 && i < symbols->size() ? read_one(i, symbol) : false;
      if (!shown)
        return shown.takeError();
      if (!*shown)
        return make_error("symbol " + std::to_string(i) + " is not in the symbol table");
      out.symbols.push_back(symbol);
    }
    return out;
  }
  out.symbols.reserve(symbols->size());
  // The names are in string table order, not symbol order (the linker sorts
  // .dynsym by hash bucket): each is a cache miss unless asked for ahead.
  constexpr size_t kAhead = 8;
  for (size_t i = 1; i < symbols->size(); ++i) { // 0 is the null symbol
    if (i + kAhead < symbols->size() && (*symbols)[i + kAhead].st_name < strings->size())
      __builtin_prefetch(strings->data() + (*symbols)[i + kAhead].st_name);
    Symbol symbol;
    Expected<bool> shown = read_one(i, symbol);
    if (!shown)
      return shown.takeError();
    if (!*shown)
      continue;
    lto_marker |= symbol.name == "__gnu_lto_slim";
    out.symbols.push_back(symbol);
  }
  if (lto_marker) {
    // A slim object's ELF symbols are only the marker and locals; its real
    // symbols are in the LTO table (what nm shows through the LTO plugin).
    out.symbols.clear();
    for (StringRef table : lto_tables)
      if (llvm::Error e = read_lto_symbols(table, out))
        return e;
  }
  return out;
}

Expected<ObjectSymbols> read_elf(const ELFObjectFileBase &object, const std::vector<std::size_t> *only) {
  if (auto *o = llvm::dyn_cast<ELF32LEObjectFile>(&object))
    return read_elf(o->getELFFile(), only);
  if (auto *o = llvm::dyn_cast<ELF32BEObjectFile>(&object))
    return read_elf(o->getELFFile(), only);
  if (auto *o = llvm::dyn_cast<ELF64LEObjectFile>(&object))
    return read_elf(o->getELFFile(), only);
  return read_elf(llvm::cast<ELF64BEObjectFile>(&object)->getELFFile(), only);
}

Expected<ObjectSymbols> read_binary(MemoryBufferRef buffer, const std::vector<std::size_t> *only = nullptr) {
  Expected<std::unique_ptr<Binary>> binary = createBinary(buffer);
  if (!binary)
    return binary.takeError();
  auto *elf = llvm::dyn_cast<ELFObjectFileBase>(binary->get());
  if (!elf)
    return make_error("not an ELF object");
  return read_elf(*elf, only);
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

// LLVM 14 trusts some member header fields before it checks them: a BSD
// name length ("#1/N") is read in Archive::create itself, past the end of
// the file when N is large (found by fuzz_cxxabi). So every header is
// checked here first: a size that is a number and lies inside the archive
// (thin archives store only their symbol and name tables), and a BSD name
// no longer than its member.
llvm::Error check_member_headers(StringRef archive, bool thin) {
  constexpr std::size_t kHeaderSize = 60;
  std::size_t offset = 8; // after "!<arch>\n" or "!<thin>\n"
  while (offset < archive.size()) {
    std::string where = "truncated or malformed archive (member header at offset " + std::to_string(offset);
    if (archive.size() - offset < kHeaderSize)
      return make_error(where + " is cut short)");
    StringRef header = archive.substr(offset, kHeaderSize);
    StringRef name = header.take_front(16);
    std::uint64_t size = 0;
    if (header.substr(48, 10).rtrim(' ').getAsInteger(10, size))
      return make_error(where + ": its size is not a number)");
    if (name.startswith("#1/")) {
      // A BSD name is stored after the header, as the member's first bytes;
      // GNU thin archives, which store no member, never use one.
      std::uint64_t name_length = 0;
      if (thin)
        return make_error(where + ": a BSD long name in a thin archive)");
      if (name.drop_front(3).rtrim(' ').getAsInteger(10, name_length) || name_length > size)
        return make_error(where + ": a BSD name longer than the member)");
    }
    offset += kHeaderSize;
    bool stored = !thin || name.startswith("/ ") || name.startswith("// ") || name.startswith("/SYM64/");
    if (!stored)
      continue;
    if (size > archive.size() - offset)
      return make_error(where + " claims " + std::to_string(size) + " bytes, past the end of the file)");
    offset += size + (size & 1);
  }
  return llvm::Error::success();
}

bool inside(StringRef part, StringRef whole) {
  return part.begin() >= whole.begin() && part.begin() <= whole.end() &&
         part.size() <= static_cast<std::size_t>(whole.end() - part.begin());
}

llvm::Error read_archive(const std::string &path, MemoryBufferRef buffer, SymbolFile &file) {
  if (llvm::Error e = check_member_headers(buffer.getBuffer(), buffer.getBuffer().startswith("!<thin>\n")))
    return e;
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
    symbols->member = name->str();
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

} // namespace abitag::elf
