// SPDX-License-Identifier: MIT
// What a root has installed: the compiled units in its OCaml library folders
// (what ocamlfind's default path, /usr/local/lib/ocaml/VERSION and
// /usr/lib/ocaml on Debian, and the compiler's standard library hold), and
// how an imported digest compares with them.
#include <sys/stat.h>

#include <mutex>
#include <optional>

#include "analyzers/ocaml/ocaml.h"
#include "fingerprint/discover.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/paths.h"

namespace abitag::ocaml {

std::vector<std::string> library_folders(const std::string &root) {
  std::vector<std::string> out;
  for (const char *folder : {"/usr/local/lib/ocaml", "/usr/lib/ocaml"}) {
    llvm::Expected<std::string> host = resolve_under_root(root, folder);
    struct stat st;
    if (host && ::stat(host->c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      out.push_back(*host);
    else if (!host)
      llvm::consumeError(host.takeError());
  }
  return out;
}

void add_installed(const OcamlFile &file, Installed &installed) {
  const std::string &path = file.path;
  for (const CompilationUnit &unit : file.units) {
    if (file.kind == FileKind::Cmi)
      installed.interfaces[unit.name].push_back({path, unit.interface_crc});
    else if (file.kind == FileKind::Cmx)
      installed.implementations[unit.name].push_back({path, unit.implementation_crc});
  }
  if (file.kind == FileKind::Cmi && path.size() > 11 && path.compare(path.size() - 11, 11, "/stdlib.cmi") == 0)
    installed.magic = file.magic;
}

std::vector<OcamlFile> library_files(const std::string &root, bool interfaces_only, std::vector<InputError> &errors) {
  DiscoverOptions options;
  options.root = root;
  options.note_links = false;
  if (interfaces_only)
    options.accept = [](std::string_view head) {
      return looks_like_unit(head) && (head[8] == 'I' || head[8] == 'Y' || head[8] == 'y');
    };
  else
    options.accept = [](std::string_view head) { return looks_like_unit(head) || sniff_content(head) == ContentKind::Elf; };
  Discovery found = discover(library_folders(root), options);
  errors.insert(errors.end(), found.errors.begin(), found.errors.end());
  std::vector<std::optional<OcamlFile>> files(found.files.size());
  std::mutex mutex;
  for_each_file_largest_first(found.files, [&](std::size_t i) {
    const InputFile &input = found.files[i];
    if (!looks_like_unit(input.head) && !is_plugin_name(input.path))
      return; // another ELF file: a stub library
    if (input.path.size() > 5 && input.path.compare(input.path.size() - 5, 5, ".cmti") == 0)
      return; // a .cmi followed by the typed tree: the .cmi beside it says the same
    llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(input.open_path, Reading::InParts);
    llvm::Expected<OcamlFile> file = bytes ? read_ocaml_file((*bytes)->getBuffer(), path_inside_root(root, input.path))
                                           : llvm::Expected<OcamlFile>(bytes.takeError());
    if (file) {
      files[i] = std::move(*file);
      return;
    }
    std::lock_guard<std::mutex> lock(mutex);
    errors.push_back({input.path, to_message(file.takeError())});
  });
  std::vector<OcamlFile> out;
  for (std::optional<OcamlFile> &file : files)
    if (file)
      out.push_back(std::move(*file));
  return out;
}

// The .cmi and .cmx files say it all; .cma and .cmxa repeat them.
Installed installed_units(const std::string &root, std::vector<InputError> &errors) {
  Installed out;
  out.folders = library_folders(root);
  for (const OcamlFile &file : library_files(root, /*interfaces_only=*/true, errors))
    add_installed(file, out);
  return out;
}

bool is_plugin_name(const std::string &path) {
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".cmxs") == 0;
}

} // namespace abitag::ocaml
