// SPDX-License-Identifier: MIT
// The tag of a kernel: what a module built against it depends on.
#include <cstdio>

#include "analyzers/kmod/kmod.h"
#include "fingerprint/hash.h"

namespace abitag::kmod {
std::string vermagic_words(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.size(), text.find(' ', start));
    if (end > start)
      out += (out.empty() ? "" : " ") + std::string(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string kernel_tag(const Kernel &kernel) {
  // The owner of a symbol is left out: a symbol that moves from vmlinux to a
  // module (or back) loads the same. Its GPL-only flag and its namespace
  // decide who may use it, so they count.
  Digest digest(DigestKind::Sha256);
  for (const auto &[name, symbol] : kernel.exports) {
    char crc[16] = "-";
    if (symbol.crc)
      std::snprintf(crc, sizeof crc, "0x%08x", *symbol.crc);
    digest.update(name + "\t" + crc + "\t" + (symbol.gpl_only ? "GPL" : "") + "\t" + symbol.name_space + "\n");
  }
  std::string identity = kernel.vermagic ? vermagic_words(*kernel.vermagic) : kernel.release;
  return (identity.empty() ? "" : identity + " ") + "exports-sha256:" + digest.hex_digest();
}

} // namespace abitag::kmod
