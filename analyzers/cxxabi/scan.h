// SPDX-License-Identifier: MIT
// What the cxxabi analyzer and the symbols command share: which files they
// read, and the order they show them in (names are shown by elf/demangle.h).
#pragma once

#include <functional>
#include <string>

#include "fingerprint/discover.h"

namespace abitag::cxxabi {

// Discovery of ELF files and ar archives (regular and thin) under ROOT.
DiscoverOptions binary_inputs(const std::string &root);

// Processes COUNT items in batches: work(i) runs on all cores, then emit(i)
// runs in order for the batch, so output stays in input order while memory
// holds one batch of results at a time.
void process_in_order(std::size_t count, const std::function<void(std::size_t)> &work,
                      const std::function<void(std::size_t)> &emit);

} // namespace abitag::cxxabi
