// SPDX-License-Identifier: MIT
// An ar archive's member headers and symbol index, read before LLVM reads
// the archive, and what they promise of the members. The index ("/" or
// "/SYM64/", written by ar s) names, for each global symbol a member
// defines, the offset of that member's header. An archive cut short at a
// member boundary has whole headers and no stray bytes, so only its index
// shows what was lost: it still names the members that were cut off.
#pragma once

#include <cstdint>
#include <vector>

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Error.h>

#include "elf/symbol_reader.h"

namespace abitag::elf {

struct IndexEntry {
  std::uint64_t member = 0; // the offset of its member's header
  llvm::StringRef name;
};

struct ArchiveLayout {
  std::vector<std::uint64_t> members; // the offset of each member header, in file order
  std::vector<IndexEntry> index;      // sorted by member; empty without an index
};

// Walks the member headers of ARCHIVE (its whole bytes; THIN: a thin
// archive, which stores only its symbol and name tables), and reads its GNU
// symbol index. Fails on a header that is cut short, a size that is not a
// number or runs past the file, a name that is not text, a BSD name longer
// than its member, an index
// whose entries run past it, and an index entry that names an offset where
// no member header starts.
llvm::Expected<ArchiveLayout> read_archive_layout(llvm::StringRef archive, bool thin);

// Fails when the index names a symbol for the member at OFFSET that OBJECT,
// read from that member, does not define: the member or the index is
// damaged, and what was read of the member cannot be trusted.
llvm::Error check_member_against_index(const ArchiveLayout &layout, std::uint64_t offset,
                                       const ObjectSymbols &object);

} // namespace abitag::elf
