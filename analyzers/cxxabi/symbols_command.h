// SPDX-License-Identifier: MIT
// `abitag symbols PATH...`: every symbol the cxxabi analyzer reads, with its
// class and scope, as tab-separated columns: how anyone checks abitag
// against nm and c++filt.
#pragma once

#include <memory>

#include "fingerprint/analyzer.h"

namespace abitag::cxxabi {

std::unique_ptr<Command> make_symbols_command();

} // namespace abitag::cxxabi
