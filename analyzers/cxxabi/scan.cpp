#include "analyzers/cxxabi/scan.h"

#include <cstdlib>

#include <llvm/Demangle/Demangle.h>

#include "analyzers/cxxabi/name_classifier.h"
#include "fingerprint/parallel.h"

namespace abitag::cxxabi {

DiscoverOptions binary_inputs(const std::string &root) {
  DiscoverOptions options;
  options.root = root;
  options.accept = [](std::string_view head) { return sniff_content(head) != ContentKind::Other; };
  options.wanted = "not an ELF file or ar archive";
  return options;
}

namespace {

// TEXT demangled by LLVM's Itanium demangler, or TEXT itself.
std::string itanium_demangle(const std::string &text) {
  int status = 0;
  char *demangled = llvm::itaniumDemangle(text.c_str(), nullptr, nullptr, &status);
  if (!demangled)
    return text;
  std::string out(demangled);
  std::free(demangled);
  return out;
}

} // namespace

std::string demangle(llvm::StringRef name) {
  // The demangler recurses once per nesting level: a long enough name (a
  // million 'P's) would overflow the stack. The classifier stops at the same
  // length, so what is shown is what was classified.
  if (!name.startswith("_Z") || name.size() > kMaxParsedNameLength)
    return name.str();
  // A clone is shown as c++filt shows it; LLVM 14 does not know the prefix.
  std::string cloned = transaction_clone_target(std::string_view(name.data(), name.size()));
  if (cloned.empty())
    return itanium_demangle(name.str());
  std::string function = itanium_demangle(cloned);
  return function == cloned ? name.str() : "transaction clone for " + function;
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
