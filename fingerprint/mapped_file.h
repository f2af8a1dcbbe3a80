// Opening an input file for reading without following a symbolic link.
#pragma once

#include <memory>
#include <string>

#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

namespace abitag {

// Maps (or, for small files, reads) a regular file. The last path component
// is opened with O_NOFOLLOW: discovery has already decided which links to
// follow, and a link swapped in afterwards must not lead elsewhere.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> map_file(const std::string &path);

} // namespace abitag
