// SPDX-License-Identifier: MIT
#include "elf/dynamic_names.h"

#include <llvm/ADT/SmallVector.h>
#include <llvm/BinaryFormat/ELF.h>

#include "fingerprint/errors.h"

namespace abitag::elf {
namespace {

std::vector<std::string> split_path_list(llvm::StringRef list) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  list.split(parts, ':', -1, /*KeepEmpty=*/true);
  std::vector<std::string> out;
  for (llvm::StringRef part : parts)
    out.push_back(part.str());
  return out;
}

bool is_name_entry(std::int64_t tag) {
  return tag == llvm::ELF::DT_NEEDED || tag == llvm::ELF::DT_SONAME || tag == llvm::ELF::DT_RPATH ||
         tag == llvm::ELF::DT_RUNPATH;
}

} // namespace

llvm::Expected<DynamicNames> read_dynamic_names(const LoaderView &loader) {
  DynamicNames out;
  bool any = false;
  for (const DynamicEntry &entry : loader.entries)
    any = any || is_name_entry(entry.tag);
  if (!any)
    return out; // no string table needed
  std::optional<std::uint64_t> strtab = loader.value(llvm::ELF::DT_STRTAB), strsz = loader.value(llvm::ELF::DT_STRSZ);
  if (!strtab || !strsz)
    return make_error("dynamic section has no string table");
  auto bytes = loader.bytes_at(*strtab, *strsz, "the dynamic string table (DT_STRTAB, DT_STRSZ)");
  if (!bytes)
    return bytes.takeError();
  llvm::StringRef strings = llvm::toStringRef(*bytes);
  for (const DynamicEntry &entry : loader.entries) {
    if (!is_name_entry(entry.tag))
      continue;
    if (entry.value >= strings.size())
      return make_error("dynamic string offset " + std::to_string(entry.value) + " is past the string table");
    llvm::StringRef text = strings.drop_front(entry.value).take_until([](char c) { return c == '\0'; });
    switch (entry.tag) {
    case llvm::ELF::DT_NEEDED: out.needed.push_back(text.str()); break;
    case llvm::ELF::DT_SONAME: out.soname = text.str(); break;
    case llvm::ELF::DT_RPATH: out.rpath = split_path_list(text); break;
    case llvm::ELF::DT_RUNPATH:
      out.runpath = split_path_list(text);
      out.has_runpath = true;
      break;
    }
  }
  return out;
}

} // namespace abitag::elf
