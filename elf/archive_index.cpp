// SPDX-License-Identifier: MIT
#include "elf/archive_index.h"

#include <algorithm>

#include <llvm/ADT/DenseSet.h>
#include <llvm/Support/Endian.h>

#include "fingerprint/errors.h"

namespace abitag::elf {

namespace {

constexpr std::size_t kHeaderSize = 60;

// What ar writes in a member header: a name of text, then the date, owner,
// group (decimal) and mode (octal) padded with spaces, the size, and "`\n".
// A zeroed or overwritten name would be shown as the member's name.
llvm::Error check_header_text(llvm::StringRef header, llvm::function_ref<std::string()> where) {
  for (char c : header.take_front(16))
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || static_cast<unsigned char>(c) == 0xff)
      return make_error(where() + ": its name is not text)");
  llvm::StringRef numbers = header.substr(16, 32);
  if (!std::all_of(numbers.begin(), numbers.end(), [](char c) { return c == ' ' || (c >= '0' && c <= '9'); }))
    return make_error(where() + ": its date, owner, group or mode is not a number)");
  if (header.substr(58) != "`\n")
    return make_error(where() + " does not end with the header's magic)");
  return llvm::Error::success();
}

// LLVM 14 trusts some member header fields before it checks them: a BSD
// name length ("#1/N") is read in Archive::create itself, past the end of
// the file when N is large (found by fuzz_cxxabi). So every header is
// checked here first: a size that is a number and lies inside the archive
// (thin archives store only their symbol and name tables), and a BSD name
// no longer than its member. INDEX: the contents of the symbol index
// member, and whether its offsets are 64-bit.
llvm::Error walk_member_headers(llvm::StringRef archive, bool thin, ArchiveLayout &layout, llvm::StringRef &index,
                                bool &wide) {
  std::size_t offset = 8; // after "!<arch>\n" or "!<thin>\n"
  while (offset < archive.size()) {
    // Made only for an error: an archive has thousands of members.
    auto where = [at = offset] {
      return "truncated or malformed archive (member header at offset " + std::to_string(at);
    };
    if (archive.size() - offset < kHeaderSize)
      return make_error(where() + " is cut short)");
    llvm::StringRef header = archive.substr(offset, kHeaderSize);
    llvm::StringRef name = header.take_front(16);
    if (llvm::Error e = check_header_text(header, where))
      return e;
    std::uint64_t size = 0;
    if (header.substr(48, 10).rtrim(' ').getAsInteger(10, size))
      return make_error(where() + ": its size is not a number)");
    if (name.startswith("#1/")) {
      // A BSD name is stored after the header, as the member's first bytes;
      // GNU thin archives, which store no member, never use one.
      std::uint64_t name_length = 0;
      if (thin)
        return make_error(where() + ": a BSD long name in a thin archive)");
      if (name.drop_front(3).rtrim(' ').getAsInteger(10, name_length) || name_length > size)
        return make_error(where() + ": a BSD name longer than the member)");
    }
    layout.members.push_back(offset);
    offset += kHeaderSize;
    bool stored = !thin || name.startswith("/ ") || name.startswith("// ") || name.startswith("/SYM64/");
    if (!stored)
      continue;
    if (size > archive.size() - offset)
      return make_error(where() + " claims " + std::to_string(size) + " bytes, past the end of the file)");
    if (layout.members.size() == 1 && (name.rtrim(' ') == "/" || name.rtrim(' ') == "/SYM64/")) {
      index = archive.substr(offset, size);
      wide = name.startswith("/SYM64/");
    }
    offset += size + (size & 1);
  }
  return llvm::Error::success();
}

// The GNU symbol index: a big-endian count, as many member offsets, then
// as many NUL-terminated names (4-byte words; 8-byte in "/SYM64/").
llvm::Error read_index(llvm::StringRef index, bool wide, std::uint64_t archive_size, ArchiveLayout &layout) {
  using namespace llvm::support;
  unsigned word = wide ? 8 : 4;
  auto word_at = [&](std::size_t at) {
    return wide ? endian::read64be(index.data() + at) : endian::read32be(index.data() + at);
  };
  if (index.size() < word)
    return make_error("the archive's symbol index is cut short");
  std::uint64_t count = word_at(0);
  if (count > (index.size() - word) / word)
    return make_error("the archive's symbol index claims " + std::to_string(count) + " symbols, more than it holds");
  llvm::StringRef names = index.drop_front(word + count * word);
  layout.index.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::size_t end = names.find('\0');
    if (end == llvm::StringRef::npos)
      return make_error("the archive's symbol index holds fewer names than its " + std::to_string(count) + " symbols");
    std::uint64_t member = word_at(word + i * word);
    if (!std::binary_search(layout.members.begin(), layout.members.end(), member))
      return make_error("the archive's symbol index names a member at offset " + std::to_string(member) +
                        (member >= archive_size ? ", past the end of the file: the archive was cut short"
                                                : ", where no member header starts"));
    layout.index.push_back({member, names.take_front(end)});
    names = names.drop_front(end + 1);
  }
  auto by_member = [](const IndexEntry &a, const IndexEntry &b) { return a.member < b.member; };
  if (!std::is_sorted(layout.index.begin(), layout.index.end(), by_member)) // ar writes them in member order
    std::stable_sort(layout.index.begin(), layout.index.end(), by_member);
  return llvm::Error::success();
}

} // namespace

llvm::Expected<ArchiveLayout> read_archive_layout(llvm::StringRef archive, bool thin) {
  ArchiveLayout layout;
  llvm::StringRef index;
  bool wide = false;
  if (llvm::Error e = walk_member_headers(archive, thin, layout, index, wide))
    return e;
  if (index.data()) // an index member, even an empty one
    if (llvm::Error e = read_index(index, wide, archive.size(), layout))
      return e;
  return layout;
}

llvm::Error check_member_against_index(const ArchiveLayout &layout, std::uint64_t offset,
                                       const ObjectSymbols &object) {
  auto [first, last] = std::equal_range(layout.index.begin(), layout.index.end(), IndexEntry{offset, {}},
                                        [](const IndexEntry &a, const IndexEntry &b) { return a.member < b.member; });
  if (first == last)
    return llvm::Error::success();
  llvm::DenseSet<llvm::StringRef> defined;
  for (const Symbol &symbol : object.symbols)
    if (!symbol.undefined && !symbol.local)
      defined.insert(symbol.name);
  for (auto entry = first; entry != last; ++entry)
    if (!defined.contains(entry->name))
      return make_error("the archive's symbol index lists '" + entry->name.str() +
                        "' for this member, which does not define it (the member or the index is damaged)");
  return llvm::Error::success();
}

} // namespace abitag::elf
