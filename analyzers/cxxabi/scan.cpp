// SPDX-License-Identifier: MIT
#include "analyzers/cxxabi/scan.h"

#include "fingerprint/parallel.h"

namespace abitag::cxxabi {

DiscoverOptions binary_inputs(const std::string &root) {
  DiscoverOptions options;
  options.root = root;
  options.accept = [](std::string_view head) { return sniff_content(head) != ContentKind::Other; };
  options.wanted = "not an ELF file or ar archive";
  return options;
}

void process_in_order(std::size_t count, const std::function<void(std::size_t)> &work,
                      const std::function<void(std::size_t)> &emit) {
  constexpr std::size_t kBatch = 256;
  for (std::size_t start = 0; start < count; start += kBatch) {
    std::size_t size = std::min(kBatch, count - start);
    parallel_for(size, [&](std::size_t i) { work(start + i); });
    for (std::size_t i = 0; i < size; ++i)
      emit(start + i);
  }
}

} // namespace abitag::cxxabi
