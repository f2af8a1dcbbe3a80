// SPDX-License-Identifier: MIT
// Opening an input file for reading without following a symbolic link.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

namespace abitag {

// How a file will be read. Of a large ELF file only a few parts are read (its
// headers, symbol, string and version tables: a few megabytes of a 500 MB
// library). When such a file is not in the page cache, every page fault in
// its mapping makes the kernel read read_ahead_kb around the page (8 MB on
// some disks): most of the file, twice (the headers are at both ends). Read
// InParts, a large mapping reads the page a fault asks for, and the tables
// are asked for ahead, each in one go (will_read).
enum class Reading { Whole, InParts };

// Maps (or, for small files, reads) a regular file. The last path component
// is opened with O_NOFOLLOW: discovery has already decided which links to
// follow, and a link swapped in afterwards must not lead elsewhere.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> map_file(const std::string &path,
                                                             Reading reading = Reading::Whole);

// The bytes of a file for one step of the caller, after which they are not
// used again: a file of at most kCopiedAtMost bytes is read into SCRATCH
// (reused from file to file, so the buffer returned is only valid until
// SCRATCH is used again), a larger one is mapped as map_file maps it.
// Unmapping a file in a process whose threads run on other cores interrupts
// each of those cores to drop the mapping from its TLB, and each 64 KB
// touched costs a page fault; copying a small file costs less (the audit
// reads 3,000 ELF files under /usr, 85% of them this small).
inline constexpr std::size_t kCopiedAtMost = 256 * 1024;
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> load_file(const std::string &path, Reading reading,
                                                              std::vector<char> &scratch);

// Asks the kernel to bring [BEGIN, BEGIN + SIZE), part of the file mapped at
// WHOLE, into the page cache now, ahead of the faults that would ask a page
// at a time. Nothing for a file small enough to be read whole anyway.
void will_read(llvm::StringRef whole, const void *begin, std::size_t size);

// A buffer mapped InParts that turns out to be read from end to end (an
// archive, member by member): read-around is wanted after all.
void read_whole(const llvm::MemoryBuffer &buffer);

// Drops the pages wholly inside [BEGIN, BEGIN + SIZE), part of BUFFER, from
// the process's memory when BUFFER is a large mapping; a later read maps
// them again from the page cache. For a part read through once and after
// that only in small pieces (an archive member, whose symbol names alone are
// read again): every page touched of a mapping counts in the process's
// memory until it is unmapped, and of an archive read member by member that
// is most of it (75 MiB of GHC's 119 MiB libHSghc.a, for 9 MiB of names).
void done_reading(const llvm::MemoryBuffer &buffer, const void *begin, std::size_t size);

} // namespace abitag
