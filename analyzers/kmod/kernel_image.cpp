// SPDX-License-Identifier: MIT
#include "analyzers/kmod/kernel_image.h"

#include <llvm/BinaryFormat/ELF.h>

#include "analyzers/kmod/decompress.h"
#include "fingerprint/errors.h"

namespace abitag::kmod {
namespace {

// Offsets in the boot sector and setup header (Documentation/arch/x86/boot.rst).
constexpr std::size_t kSetupSects = 0x1F1, kHeaderMagic = 0x202, kProtocol = 0x206, kKernelVersion = 0x20E,
                      kPayloadOffset = 0x248, kPayloadLength = 0x24C;

std::uint32_t le(std::string_view bytes, std::size_t at, int size) {
  std::uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i)
    value = value << 8 | std::uint8_t(bytes[at + i]);
  return value;
}

// The payload's compression, by its magic (arch/x86/boot/compressed: one
// of gzip, bzip2, lzma, xz, lzo, lz4, zstd).
llvm::Expected<Compression> payload_compression(std::string_view payload) {
  if (payload.substr(0, 4) == "\x02\x21\x4C\x18")
    return Compression::Lz4;
  if (Compression compression = compression_of(payload); compression != Compression::None)
    return compression;
  const char *other = payload.substr(0, 3) == "BZh" ? "bzip2" : payload.substr(0, 4) == "\x89LZO" ? "lzo" : "lzma";
  return make_error(std::string("the vmlinux inside is compressed with ") + other +
                    ", which abitag does not read (gzip, xz, zstd and lz4 it does)");
}

// The NUL-terminated string at virtual address ADDRESS of a linked image.
std::optional<std::string_view> string_at(const ElfImage &image, std::uint64_t address) {
  for (const ElfSection &section : image.sections) {
    if (section.contents.empty() || address < section.address || address - section.address >= section.contents.size())
      continue;
    std::string_view rest = section.contents.substr(address - section.address);
    std::size_t end = rest.find('\0');
    if (end == std::string_view::npos)
      return std::nullopt;
    return rest.substr(0, end);
  }
  return std::nullopt;
}

// One table (__ksymtab or __ksymtab_gpl) and its CRCs.
llvm::Error read_table(const ElfImage &image, const ElfSection &table, const ElfSection *crcs, bool gpl_only,
                       std::vector<ExportedSymbol> &out) {
  bool relative = uses_place_relative_symbols(image);
  std::size_t word = image.is_64 ? 8 : 4;
  std::size_t entry = relative ? 12 : 3 * word; // struct kernel_symbol
  std::size_t name_at = relative ? 4 : word, space_at = relative ? 8 : 2 * word;
  auto field = [&](std::size_t at) -> std::uint64_t {
    if (relative) // a signed 32-bit offset from the field's own address
      return table.address + at + static_cast<std::int64_t>(static_cast<std::int32_t>(read_u32(image, table.contents, at)));
    return image.is_64 ? read_u64(image, table.contents, at) : read_u32(image, table.contents, at);
  };
  for (std::size_t at = 0; at + entry <= table.contents.size(); at += entry) {
    std::optional<std::string_view> name = string_at(image, field(at + name_at));
    if (!name)
      return make_error(std::string(table.name) + " entry " + std::to_string(at / entry) +
                        ": its name is outside the image");
    ExportedSymbol symbol{std::string(*name), std::nullopt, gpl_only, {}, "vmlinux"};
    bool has_space = relative ? read_u32(image, table.contents, at + space_at) != 0 : field(at + space_at) != 0;
    if (has_space)
      symbol.name_space = std::string(string_at(image, field(at + space_at)).value_or(""));
    std::size_t index = at / entry;
    if (crcs && crcs->contents.size() >= 4 * (index + 1))
      symbol.crc = read_u32(image, crcs->contents, 4 * index);
    out.push_back(std::move(symbol));
  }
  return llvm::Error::success();
}

} // namespace

bool may_be_kernel_image(std::string_view head) { return head.substr(0, 2) == "MZ"; }

llvm::Expected<std::vector<ExportedSymbol>> read_vmlinux_exports(const ElfImage &image) {
  std::vector<ExportedSymbol> out;
  for (bool gpl : {false, true}) {
    const ElfSection *table = find_any_section(image, gpl ? "__ksymtab_gpl" : "__ksymtab");
    if (!table)
      continue;
    if (llvm::Error e = read_table(image, *table, find_any_section(image, gpl ? "__kcrctab_gpl" : "__kcrctab"), gpl, out))
      return e;
  }
  return out;
}

llvm::Expected<std::optional<KernelImage>> read_kernel_image(std::string_view bytes) {
  if (bytes.size() < kPayloadLength + 4 || bytes.substr(kHeaderMagic, 4) != "HdrS")
    return std::nullopt;
  if (le(bytes, kProtocol, 2) < 0x208)
    return make_error("boot protocol older than 2.08: no payload fields");
  KernelImage out;
  std::size_t version_at = le(bytes, kKernelVersion, 2) + 0x200;
  std::size_t version_end = version_at < bytes.size() ? bytes.find('\0', version_at) : std::string_view::npos;
  if (version_end == std::string_view::npos)
    return make_error("its kernel_version string is outside the file");
  out.version = std::string(bytes.substr(version_at, std::min<std::size_t>(version_end - version_at, 512)));
  out.release = out.version.substr(0, out.version.find(' '));
  std::size_t setup_sectors = std::uint8_t(bytes[kSetupSects]) ? std::uint8_t(bytes[kSetupSects]) : 4;
  std::uint64_t payload = (setup_sectors + 1) * 512 + std::uint64_t(le(bytes, kPayloadOffset, 4));
  std::uint64_t length = le(bytes, kPayloadLength, 4);
  if (length < 4 || payload > bytes.size() || length > bytes.size() - payload)
    return make_error("its payload (" + std::to_string(length) + " bytes at offset " + std::to_string(payload) +
                      ") runs past the end of the file");
  // The build appends the decompressed size (4 bytes) to the stream.
  std::string_view stream = bytes.substr(payload, length - 4);
  llvm::Expected<Compression> compression = payload_compression(stream);
  if (!compression)
    return compression.takeError();
  out.compression = compression_name(*compression);
  llvm::Expected<Decompressed> vmlinux = decompress(stream, *compression);
  if (!vmlinux)
    return vmlinux.takeError();
  llvm::Expected<ElfImage> image = read_elf_image(vmlinux->bytes());
  if (!image)
    return make_error("the vmlinux inside: " + to_message(image.takeError()));
  llvm::Expected<std::vector<ExportedSymbol>> exports = read_vmlinux_exports(*image);
  if (!exports)
    return make_error("the vmlinux inside: " + to_message(exports.takeError()));
  out.exports = std::move(*exports);
  return std::optional<KernelImage>(std::move(out));
}

} // namespace abitag::kmod
