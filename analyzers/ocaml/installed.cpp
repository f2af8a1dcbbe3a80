// SPDX-License-Identifier: MIT
// What a root has installed: the compiled units in its OCaml library folders
// (what ocamlfind's default path, /usr/local/lib/ocaml/VERSION and
// /usr/lib/ocaml on Debian, and the compiler's standard library hold), and
// how an imported digest compares with them.
#include <sys/stat.h>

#include <mutex>

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

void add_installed(const OcamlFile &file, const std::string &path, Installed &installed) {
  for (const CompilationUnit &unit : file.units) {
    if (file.kind == FileKind::Cmi)
      installed.interfaces[unit.name].push_back({path, unit.interface_crc});
    else if (file.kind == FileKind::Cmx)
      installed.implementations[unit.name].push_back({path, unit.implementation_crc});
  }
  if (file.kind == FileKind::Cmi && path.size() > 11 && path.compare(path.size() - 11, 11, "/stdlib.cmi") == 0)
    installed.magic = file.magic;
}

// Reads the .cmi and .cmx files of the library folders; .cma and .cmxa
// repeat what those say.
Installed installed_units(const std::string &root, std::vector<InputError> &errors) {
  Installed out;
  out.folders = library_folders(root);
  if (out.folders.empty())
    return out;
  DiscoverOptions options;
  options.root = root;
  options.note_links = false;
  options.accept = [](std::string_view head) {
    return looks_like_unit(head) && (head[8] == 'I' || head[8] == 'Y' || head[8] == 'y');
  };
  Discovery found = discover(out.folders, options);
  errors.insert(errors.end(), found.errors.begin(), found.errors.end());
  std::vector<std::optional<OcamlFile>> files(found.files.size());
  std::mutex mutex;
  for_each_file_largest_first(found.files, [&](std::size_t i) {
    llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(found.files[i].open_path);
    llvm::Expected<OcamlFile> file = bytes ? read_ocaml_file((*bytes)->getBuffer(), found.files[i].path)
                                           : llvm::Expected<OcamlFile>(bytes.takeError());
    if (file) {
      files[i] = std::move(*file);
      return;
    }
    std::lock_guard<std::mutex> lock(mutex);
    errors.push_back({found.files[i].path, to_message(file.takeError())});
  });
  for (std::size_t i = 0; i < files.size(); ++i)
    if (files[i])
      add_installed(*files[i], path_inside_root(root, found.files[i].path), out);
  return out;
}

} // namespace abitag::ocaml
