// SPDX-License-Identifier: MIT
#include "analyzers/kmod/module_reader.h"

#include <cctype>
#include <map>

#include <llvm/ADT/StringRef.h>
#include <llvm/BinaryFormat/ELF.h>

#include "analyzers/kmod/decompress.h"
#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"

namespace abitag::kmod {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

constexpr std::size_t kVersionRecord = 64; // sizeof(struct modversion_info), whatever the word size

std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64))
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out + (text.size() > 64 ? "..." : "");
}

// The file name without its folder, ".ko" and a compression suffix.
std::string name_from_path(const std::string &path) {
  std::string base = path.substr(path.rfind('/') + 1);
  for (const char *suffix : {".xz", ".zst", ".gz"})
    if (base.size() > 3 && llvm::StringRef(base).endswith(suffix)) {
      base.resize(base.size() - std::string_view(suffix).size());
      break;
    }
  if (llvm::StringRef(base).endswith(".ko"))
    base.resize(base.size() - 3);
  return base;
}

// The namespace of the export whose kernel_symbol lies at OFFSET of
// SECTION: the string its namespace field's relocation points to (an empty
// one, or none, for no namespace).
std::string export_namespace(const ElfImage &image, std::uint16_t section, std::uint64_t offset) {
  std::uint64_t field = namespace_field(image, offset);
  for (const ElfRelocation &relocation : image.relocations) {
    if (relocation.target != section || relocation.offset != field)
      continue;
    const ElfSymbol *symbol = image.symbol(relocation.symbol);
    if (!symbol || symbol->section == kSectionUndefined || symbol->section >= image.sections.size())
      return {};
    std::string_view strings = image.sections[symbol->section].contents;
    std::uint64_t at = symbol->value + static_cast<std::uint64_t>(relocation.addend);
    if (at >= strings.size())
      return {};
    return std::string(strings.substr(at, strings.find('\0', at) - at));
  }
  return {};
}

// The exported symbols: one __ksymtab_NAME label per entry of __ksymtab or
// __ksymtab_gpl, its namespace through the entry's relocation, and its CRC at __crc_NAME (an offset into __kcrctab[_gpl],
// or on older kernels an absolute symbol whose value is the CRC), as kmod's
// --show-exports reads them.
llvm::Expected<std::vector<ExportedSymbol>> read_exports(const ElfImage &image, const std::string &owner) {
  std::map<std::string_view, std::uint32_t> crcs;
  std::vector<ExportedSymbol> out;
  for (const ElfSymbol &symbol : image.symbols) {
    if (starts_with(symbol.name, "__crc_")) {
      std::string_view name = symbol.name.substr(6);
      if (symbol.section == kSectionAbsolute) {
        crcs[name] = static_cast<std::uint32_t>(symbol.value);
        continue;
      }
      if (symbol.section == kSectionUndefined || symbol.section >= image.sections.size())
        continue;
      std::string_view table = image.sections[symbol.section].contents;
      if (symbol.value > table.size() || table.size() - symbol.value < 4)
        return make_error("__crc_" + printable(name) + " points past the end of its section");
      crcs[name] = read_u32(image, table, symbol.value);
    } else if (starts_with(symbol.name, "__ksymtab_") && symbol.section < image.sections.size() &&
               symbol.section != kSectionUndefined) {
      std::string_view section = image.sections[symbol.section].name;
      if (section == "__ksymtab" || section == "__ksymtab_gpl")
        out.push_back({std::string(symbol.name.substr(10)), std::nullopt, section == "__ksymtab_gpl",
                       export_namespace(image, symbol.section, symbol.value), owner});
    }
  }
  for (ExportedSymbol &symbol : out)
    if (auto found = crcs.find(symbol.name); found != crcs.end())
      symbol.crc = found->second;
  return out;
}

llvm::Error read_version_sections(const ElfImage &image, Module &module) {
  if (const ElfSection *versions = find_allocated_section(image, "__versions")) {
    llvm::Expected<std::vector<ImportedVersion>> parsed = parse_versions(image, versions->contents);
    if (!parsed)
      return parsed.takeError();
    module.has_versions = true;
    module.versions = std::move(*parsed);
  }
  const ElfSection *crcs = find_allocated_section(image, "__version_ext_crcs");
  const ElfSection *names = find_allocated_section(image, "__version_ext_names");
  if (!crcs != !names) // the kernel's own check and words (elf_validity_cache_index_versions)
    return make_error("extended version crc+name presence does not match");
  if (crcs) {
    llvm::Expected<std::vector<ImportedVersion>> parsed =
        parse_extended_versions(image, crcs->contents, names->contents);
    if (!parsed)
      return parsed.takeError();
    module.has_extended_versions = true;
    module.extended_versions = std::move(*parsed);
  }
  return llvm::Error::success();
}

llvm::Expected<Module> read_sections(const ElfImage &image, const std::string &path) {
  Module module;
  module.path = path;
  module.machine = image.machine;
  if (const ElfSection *info = find_any_section(image, ".modinfo")) {
    auto parsed = parse_modinfo(info->contents);
    if (!parsed)
      return parsed.takeError();
    module.modinfo = std::move(*parsed);
  }
  module.name = module.info("name").value_or(name_from_path(path));
  if (llvm::Error e = read_version_sections(image, module))
    return e;
  for (const ElfSymbol &symbol : image.symbols)
    if (symbol.section == kSectionUndefined)
      module.undefined.push_back({std::string(symbol.name), symbol.weak});
  if (const ElfSection *self = find_any_section(image, ".gnu.linkonce.this_module"))
    module.this_module_size = self->size;
  llvm::Expected<std::vector<ExportedSymbol>> exports = read_exports(image, module.name);
  if (!exports)
    return exports.takeError();
  module.exports = std::move(*exports);
  return module;
}

} // namespace

std::optional<std::string> Module::info(std::string_view key) const {
  for (const auto &[k, value] : modinfo)
    if (k == key)
      return value;
  return std::nullopt;
}

std::vector<std::string> Module::all_info(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto &[k, value] : modinfo)
    if (k == key)
      out.push_back(value);
  return out;
}

llvm::Expected<std::vector<std::pair<std::string, std::string>>> parse_modinfo(std::string_view section) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t at = 0;
  while (at < section.size()) {
    if (section[at] == '\0') {
      ++at;
      continue;
    }
    std::size_t end = section.find('\0', at);
    if (end == std::string_view::npos)
      return make_error("truncated .modinfo: its last entry \"" + printable(section.substr(at)) +
                        "\" has no terminating NUL");
    std::string_view entry = section.substr(at, end - at);
    std::size_t equals = entry.find('=');
    if (equals != std::string_view::npos) // the kernel and kmod look only for KEY=
      out.emplace_back(entry.substr(0, equals), entry.substr(equals + 1));
    at = end + 1;
  }
  return out;
}

llvm::Expected<std::vector<ImportedVersion>> parse_versions(const ElfImage &image, std::string_view section) {
  if (section.size() % kVersionRecord != 0)
    return make_error("__versions holds " + std::to_string(section.size()) + " bytes, not a whole number of " +
                      std::to_string(kVersionRecord) + "-byte records");
  std::size_t crc_size = image.is_64 ? 8 : 4;
  std::vector<ImportedVersion> out;
  for (std::size_t at = 0; at < section.size(); at += kVersionRecord) {
    std::string_view field = section.substr(at + crc_size, kVersionRecord - crc_size);
    std::size_t end = field.find('\0');
    if (end == std::string_view::npos)
      return make_error("__versions record " + std::to_string(at / kVersionRecord) +
                        " has a name that fills its field without a terminating NUL");
    std::uint64_t crc = image.is_64 ? read_u64(image, section, at) : read_u32(image, section, at);
    out.push_back({std::string(field.substr(0, end)), crc});
  }
  return out;
}

llvm::Expected<std::vector<ImportedVersion>> parse_extended_versions(const ElfImage &image,
                                                                     std::string_view crcs,
                                                                     std::string_view names) {
  std::vector<ImportedVersion> out;
  std::size_t name_at = 0;
  for (std::size_t at = 0; at + 4 <= crcs.size(); at += 4) {
    std::size_t end = names.find('\0', name_at);
    if (end == std::string_view::npos) // the kernel's words
      return make_error("more extended version crcs than names");
    out.push_back({std::string(names.substr(name_at, end - name_at)), read_u32(image, crcs, at)});
    name_at = end + 1;
  }
  return out;
}

llvm::Expected<std::optional<Module>> read_module_if_any(std::string_view bytes, const std::string &path) {
  Decompressed decompressed;
  llvm::Expected<std::string_view> plain = plain_bytes(bytes, decompressed);
  if (!plain)
    return plain.takeError();
  bytes = *plain;
  llvm::Expected<ElfImage> image = read_elf_image(bytes);
  if (!image)
    return image.takeError();
  if (image->type != llvm::ELF::ET_REL ||
      (!find_any_section(*image, ".modinfo") && !find_any_section(*image, ".gnu.linkonce.this_module")))
    return std::nullopt;
  llvm::Expected<Module> module = read_sections(*image, path);
  if (!module)
    return module.takeError();
  return std::optional<Module>(std::move(*module));
}

namespace {

bool looks_like_symvers(std::string_view head) {
  std::size_t digits = 2;
  while (digits < head.size() && std::isxdigit(static_cast<unsigned char>(head[digits])))
    ++digits;
  return head.substr(0, 2) == "0x" && digits > 2 && digits < head.size() && head[digits] == '\t';
}

} // namespace

bool may_be_kmod_file(std::string_view head) {
  return head.substr(0, 4) == "\x7f" "ELF" || compression_of(head) != Compression::None || looks_like_symvers(head) ||
         may_be_kernel_image(head);
}

llvm::Expected<KmodFile> read_kmod_file(std::string_view bytes, const std::string &path) {
  KmodFile out;
  if (may_be_kernel_image(bytes)) {
    llvm::Expected<std::optional<KernelImage>> image = read_kernel_image(bytes);
    if (!image)
      return make_error("kernel image: " + to_message(image.takeError()));
    out.image = std::move(*image);
    return out;
  }
  out.compression = compression_name(compression_of(bytes));
  Decompressed decompressed;
  llvm::Expected<std::string_view> plain = plain_bytes(bytes, decompressed);
  if (!plain)
    return plain.takeError();
  bytes = *plain;
  if (looks_like_symvers(bytes.substr(0, 32))) {
    llvm::Expected<std::vector<ExportedSymbol>> symvers = parse_symvers(bytes);
    if (!symvers)
      return symvers.takeError();
    out.symvers = std::move(*symvers);
  } else if (bytes.substr(0, 4) == "\x7f" "ELF") {
    llvm::Expected<std::optional<Module>> module = read_module_if_any(bytes, path);
    if (!module)
      return module.takeError();
    out.module = std::move(*module);
  }
  return out;
}

llvm::Expected<Module> parse_module(std::string_view bytes, const std::string &path) {
  llvm::Expected<std::optional<Module>> module = read_module_if_any(bytes, path);
  if (!module)
    return module.takeError();
  if (!*module)
    return make_error("not a kernel module (no .modinfo or .gnu.linkonce.this_module section in a "
                      "relocatable ELF object)");
  return std::move(**module);
}

llvm::Expected<Module> read_module(const std::string &path) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = map_file(path);
  if (!buffer)
    return buffer.takeError();
  return parse_module(std::string_view((*buffer)->getBufferStart(), (*buffer)->getBufferSize()), path);
}

} // namespace abitag::kmod
