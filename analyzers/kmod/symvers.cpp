// SPDX-License-Identifier: MIT
// Module.symvers, as scripts/mod/modpost.c writes it (write_dump): one
// exported symbol per line, fields separated by tabs.
#include <charconv>

#include "analyzers/kmod/decompress.h"
#include "analyzers/kmod/kmod.h"
#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"

namespace abitag::kmod {
namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos)
      return fields;
    start = tab + 1;
  }
}

bool is_export_kind(std::string_view field) { return field.substr(0, 13) == "EXPORT_SYMBOL" || field.substr(0, 13) == "EXPORT_UNUSED"; }

// EXPORT_SYMBOL_GPL, and the EXPORT_UNUSED_SYMBOL_GPL of kernels before 5.4;
// EXPORT_SYMBOL_GPL_FUTURE was open to every module.
bool is_gpl_only(std::string_view kind) { return kind == "EXPORT_SYMBOL_GPL" || kind == "EXPORT_UNUSED_SYMBOL_GPL"; }

llvm::Expected<std::uint32_t> parse_crc(std::string_view field) {
  if (field.substr(0, 2) != "0x" || field.size() < 3 || field.size() > 10)
    return make_error("\"" + std::string(field.substr(0, 20)) + "\" is not a CRC (0x and up to 8 hex digits)");
  std::uint32_t crc = 0;
  auto [end, error] = std::from_chars(field.data() + 2, field.data() + field.size(), crc, 16);
  if (error != std::errc() || end != field.data() + field.size())
    return make_error("\"" + std::string(field) + "\" is not a CRC (0x and up to 8 hex digits)");
  return crc;
}

// One line: CRC SYMBOL MODULE KIND [NAMESPACE] since 5.6 (and KIND absent
// before 2.6.18 is not read); CRC SYMBOL NAMESPACE MODULE KIND in 5.4 and 5.5.
llvm::Expected<ExportedSymbol> parse_line(std::string_view line) {
  std::vector<std::string_view> fields = split_tabs(line);
  if (fields.size() < 4)
    return make_error(std::to_string(fields.size()) + " fields, not 4 or 5");
  llvm::Expected<std::uint32_t> crc = parse_crc(fields[0]);
  if (!crc)
    return crc.takeError();
  ExportedSymbol symbol;
  symbol.name = std::string(fields[1]);
  symbol.crc = *crc;
  if (is_export_kind(fields[3])) {
    symbol.owner = std::string(fields[2]);
    symbol.gpl_only = is_gpl_only(fields[3]);
    if (fields.size() > 4)
      symbol.name_space = std::string(fields[4]);
  } else if (fields.size() > 4 && is_export_kind(fields[4])) {
    symbol.name_space = std::string(fields[2]);
    symbol.owner = std::string(fields[3]);
    symbol.gpl_only = is_gpl_only(fields[4]);
  } else {
    return make_error("no EXPORT_SYMBOL field");
  }
  if (symbol.name.empty())
    return make_error("an empty symbol name");
  return symbol;
}

} // namespace

llvm::Expected<std::vector<ExportedSymbol>> parse_symvers(std::string_view bytes) {
  Decompressed decompressed;
  llvm::Expected<std::string_view> plain = plain_bytes(bytes, decompressed);
  if (!plain)
    return plain.takeError();
  bytes = *plain;
  std::vector<ExportedSymbol> out;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < bytes.size()) {
    std::size_t end = bytes.find('\n', start);
    std::string_view line = bytes.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? bytes.size() : end + 1;
    ++number;
    if (line.empty())
      continue;
    llvm::Expected<ExportedSymbol> symbol = parse_line(line);
    if (!symbol)
      return make_error("line " + std::to_string(number) + ": " + to_message(symbol.takeError()));
    out.push_back(std::move(*symbol));
  }
  return out;
}

llvm::Expected<std::vector<ExportedSymbol>> read_symvers(const std::string &path) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = map_file(path);
  if (!buffer)
    return buffer.takeError();
  return parse_symvers(std::string_view((*buffer)->getBufferStart(), (*buffer)->getBufferSize()));
}

} // namespace abitag::kmod
