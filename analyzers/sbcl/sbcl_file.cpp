// SPDX-License-Identifier: MIT
#include "analyzers/sbcl/sbcl_file.h"

#include "analyzers/sbcl/file_reader.h"
#include "analyzers/sbcl/runtime_build_id.h"
#include "fingerprint/errors.h"

namespace abitag::sbcl {

const char *kind_name(FileKind kind) {
  switch (kind) {
  case FileKind::Core: return "core";
  case FileKind::Executable: return "executable";
  case FileKind::Runtime: return "runtime";
  case FileKind::Other: break;
  }
  return "other";
}

llvm::Expected<SbclFile> identify_file(const std::string &path) {
  llvm::Expected<FileReader> file = FileReader::open(path);
  if (!file)
    return file.takeError();
  return identify_file(*file);
}

llvm::Expected<SbclFile> identify_file(const FileReader &file) {
  SbclFile out;
  llvm::Expected<std::optional<CoreLocation>> location = locate_core(file);
  if (!location)
    return location.takeError();
  if (*location) {
    llvm::Expected<CoreHeader> header = read_core_header(file, **location);
    if (!header)
      return header.takeError();
    // save.c ends every core with the trailer; without it the file was cut
    // short, and the runtime would fault on the missing pages.
    if (!(*location)->has_trailer)
      return make_error("truncated core: the file does not end with the trailer that points to the "
                        "core at offset 0");
    out.kind = (*location)->embedded ? FileKind::Executable : FileKind::Core;
    out.build_id = header->build_id;
    out.header = std::move(*header);
    return out;
  }
  llvm::Expected<std::string> head = file.read(0, std::min<std::uint64_t>(4, file.size()), "file head");
  if (!head)
    return head.takeError();
  if (*head != "\x7f" "ELF")
    return out;
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = file.map();
  if (!bytes)
    return bytes.takeError();
  llvm::Expected<std::optional<std::string>> build_id = read_runtime_build_id((*bytes)->getMemBufferRef());
  if (!build_id) {
    out.unreadable_elf = to_message(build_id.takeError());
    return out;
  }
  if (*build_id) {
    out.kind = FileKind::Runtime;
    out.build_id = **build_id;
  }
  return out;
}

} // namespace abitag::sbcl
