// SPDX-License-Identifier: MIT
// The header page of an SBCL core: where the core starts in its file, the
// build id the runtime must match, and the space directory.
//
// Layout facts (SBCL's src/runtime/coreparse.c, save.c, core.h and
// tools-for-build/corefile.lisp): every field is one Lisp word in native
// byte order; after CORE_MAGIC come [code, length-in-words, payload...]
// entries up to END; the header fits in the first page; every core ends in a
// trailer [off_t core_start][CORE_MAGIC].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>

#include "analyzers/sbcl/file_reader.h"

namespace abitag::sbcl {

inline constexpr std::uint32_t kCoreMagic = 0x5342434C; // "SBCL"
inline constexpr std::uint64_t kMaxPageSize = 65536;    // the largest backend page (arm64, ppc64)
// The BUILD_ID entry's code (tools-for-build/corefile.lisp), always the first
// entry; 3899 before SBCL 1.1.18, when 3860 was VERSION.
inline constexpr std::uint64_t kBuildIdCode = 3860;
inline constexpr std::uint64_t kOldBuildIdCode = 3899;

// Whether HEAD (a file's first bytes) starts as a plain core does: CORE_MAGIC
// in any word size and byte order, then the BUILD_ID entry code (3860; 3899
// before SBCL 1.1.18), which save.c and genesis always write first. The
// magic alone is four letters a text file may start with. (An executable
// core is an ELF file whose trailer leads to its core; see locate_core.)
bool starts_like_plain_core(std::string_view head);
// Whether HEAD starts with CORE_MAGIC alone, in any word size and byte order.
bool starts_with_core_magic(std::string_view head);

// A Lisp word as the core stores it.
struct WordFormat {
  unsigned size = 8; // 4 or 8 bytes
  bool big_endian = false;
  // Word INDEX of BYTES; the caller has checked that it is there.
  std::uint64_t at(std::string_view bytes, std::size_t index) const;
  std::uint64_t decode(const char *p, unsigned width) const;
};

// Where the core lies in its file.
struct CoreLocation {
  WordFormat word;
  std::uint64_t core_start = 0; // 0 for a plain core, after the runtime for an executable
  bool embedded = false;        // found through the trailer, not at offset 0
  bool has_trailer = false;     // the file ends with a trailer pointing to core_start
};

struct RuntimeOptions {
  std::uint64_t dynamic_space_size = 0;
  std::uint64_t thread_control_stack_size = 0;
  std::uint64_t thread_tls_bytes = 0;
  bool accept_runtime_options = false; // the extra word of :accept-runtime-options (2.5+)
};

// One entry of the space directory (struct ndir_entry).
struct SpaceEntry {
  std::uint64_t id = 0; // without the compression flag
  bool compressed = false;
  std::uint64_t nwords = 0;
  std::uint64_t data_page = 0; // pages after the header page
  std::uint64_t address = 0;   // where the space was saved in memory
  std::uint64_t page_count = 0;
};

struct PageTableEntry {
  std::uint64_t n_ptes = 0;
  std::uint64_t nbytes = 0;
  std::uint64_t data_page = 0;
};

struct CoreHeader {
  CoreLocation location;
  std::string build_id;
  std::string build_id_layout; // which on-disk BUILD_ID variant, by SBCL versions
  std::optional<std::uint64_t> gc_id;
  std::optional<RuntimeOptions> runtime_options;
  std::vector<SpaceEntry> spaces;
  std::optional<PageTableEntry> page_table;
  std::uint64_t page_size = 0;
  std::string page_size_source; // "page table" or why it was assumed
  std::uint64_t header_bytes = 0; // from core_start to the end of the END entry
};

// The number of last bytes of a file that locate_core reads for the trailer.
inline constexpr std::size_t kTrailerBytes = 16;
// Whether a file whose last bytes are TAIL (kTrailerBytes, fewer when the
// file is shorter) ends with a trailer, as an executable core does: when
// not, locate_core finds no core in it unless it starts with CORE_MAGIC.
bool ends_like_core_trailer(std::string_view tail);

// Finds the core by CORE_MAGIC at offset 0 or through the trailer. Returns
// nothing when the file is neither; errors when it claims to be one and the
// claim does not hold (a trailer pointing past the end of the file...).
llvm::Expected<std::optional<CoreLocation>> locate_core(const FileReader &file);

// Parses the header page of the core at LOCATION.
llvm::Expected<CoreHeader> read_core_header(const FileReader &file, const CoreLocation &location);

const char *space_name(std::uint64_t id);

// Fails unless ID is a build id as SBCL writes one: the text of
// output/build-id.inc (host, user and date, or a version), not empty and
// without control bytes or the 0xFF of the entry's padding. WHAT names
// where it was read ("the core's BUILD_ID entry", "the build_id symbol").
// A zeroed or overwritten id is damage, never a value to print or compare.
llvm::Error check_build_id(std::string_view id, const char *what);

} // namespace abitag::sbcl
