// What the cxxabi analyzer and the symbols command share: which files they
// read, and how a symbol's name is shown.
#pragma once

#include <string>

#include <llvm/ADT/StringRef.h>

#include "fingerprint/discover.h"

namespace abitag::cxxabi {

// Discovery of ELF files and ar archives (regular and thin) under ROOT.
DiscoverOptions binary_inputs(const std::string &root);

// The demangled name as __cxa_demangle spells it, or NAME itself when it is
// not an Itanium name (as c++filt does).
std::string demangle(llvm::StringRef name);

// Processes COUNT items in batches: work(i) runs on all cores, then emit(i)
// runs in order for the batch, so output stays in input order while memory
// holds one batch of results at a time.
void process_in_order(std::size_t count, const std::function<void(std::size_t)> &work,
                      const std::function<void(std::size_t)> &emit);

} // namespace abitag::cxxabi
