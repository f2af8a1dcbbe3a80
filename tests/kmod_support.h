// SPDX-License-Identifier: MIT
// What the kmod and qt tests, the audit's and adopt's among them, share:
// real modules and Qt libraries patched at test time, in place of the
// sections the kernel's loader and the qt analyzer read.
#pragma once

#include <string>

#include <catch2/catch.hpp>
#include <llvm/Support/Error.h>

namespace abitag::test {

// VALUE, or the test case fails with its error.
template <class T> T must(llvm::Expected<T> value) {
  if (!value)
    FAIL(llvm::toString(value.takeError()));
  return std::move(*value);
}

// Where the section NAME of a little-endian ELF64 image lies: its contents,
// and its header's sh_size field.
struct SectionPlace {
  std::size_t offset = 0, size = 0, size_field = 0;
};
SectionPlace section_place(const std::string &bytes, const std::string &name);

// Replaces every FROM in BYTES[begin, end) by TO (the same length); fails
// the test case when there is none.
std::string patched(std::string bytes, const std::string &from, const std::string &to, std::size_t begin = 0,
                    std::size_t end = std::string::npos);

// The CRC of SYMBOL in the __versions of BYTES changed in its lowest bit.
std::string with_crc_flipped(const std::string &bytes, const std::string &symbol);

// BYTES, a Qt 5.15.8 library, with its .qtversion saying 5.15.7 (QT_VERSION
// after the 8-byte pointer slot), as another Qt 5.15 patch release would.
std::string with_qt_5_15_7(const std::string &bytes);

} // namespace abitag::test
