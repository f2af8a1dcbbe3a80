// SPDX-License-Identifier: MIT
// nm's letter for a dynamic symbol of a file without section headers. nm
// takes it from the flags of the symbol's section; without the section
// table, the segment the symbol's address lies in says the same for every
// symbol inside a section (code in the executable segment, data in the
// writable one, .bss in its zero-fill), and all the symbols of one section
// share its index (st_shndx). The linker's own markers sit at the ends of
// sections (_edata, __bss_start, _end), where an address alone cannot say
// which side they belong to: they take the letter of another symbol of
// their section.
#pragma once

#include <cstdint>
#include <vector>

#include <llvm/ADT/ArrayRef.h>

#include "elf/dynamic_segment.h"

namespace abitag::elf {

// The letter (lower case) of each section index that SYMBOLS show, '?'
// for one they do not.
template <class ELFT>
std::vector<char> section_letters_by_segment(const LoaderView &loader, llvm::ArrayRef<typename ELFT::Sym> symbols);

// The letter of a symbol of SIZE bytes at VALUE, of TYPE, by its segment
// alone, or '?'.
char segment_letter(const LoaderView &loader, std::uint64_t value, std::uint64_t size, std::uint8_t type);

} // namespace abitag::elf
