// SPDX-License-Identifier: MIT
// Finding what a kernel exports and how it was configured, from its files:
// the modules tree /lib/modules/R, the Module.symvers of its build or
// headers tree (R/build), its configuration (/boot/config-R).
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sys/stat.h>

#include "analyzers/kmod/decompress.h"
#include "analyzers/kmod/kernel_image.h"
#include "analyzers/kmod/kmod.h"
#include "analyzers/kmod/module_reader.h"
#include "fingerprint/discover.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/open_path.h"
#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"

namespace abitag::kmod {
namespace {

bool is_directory(const std::string &path) {
  struct stat st;
  return stat_path(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string &path) {
  struct stat st;
  return stat_path(path, &st) == 0 && S_ISREG(st.st_mode);
}

// PATH (as the system under ROOT names it) on the host, links taken under ROOT.
std::optional<std::string> under_root(const std::string &root, const std::string &path) {
  llvm::Expected<std::string> host = resolve_under_root(root, path);
  if (!host) {
    llvm::consumeError(host.takeError());
    return std::nullopt;
  }
  return *host;
}

llvm::Expected<std::string> read_small_file(const std::string &path) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = map_file(path);
  if (!buffer)
    return buffer.takeError();
  return std::string((*buffer)->getBuffer());
}

// The two settings of the kernel's configuration the loader's decisions
// depend on, from a .config or /boot/config-R.
void read_config(const std::string &path, Kernel &kernel) {
  llvm::Expected<std::string> text = read_small_file(path);
  if (!text) {
    llvm::consumeError(text.takeError());
    return;
  }
  text->insert(0, "\n"); // every setting is then found as "\nCONFIG_...=y\n"
  kernel.config_known = true;
  kernel.force_load = text->find("\nCONFIG_MODULE_FORCE_LOAD=y\n") != std::string::npos;
  kernel.allow_missing_namespace_imports =
      text->find("\nCONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS=y\n") != std::string::npos;
  kernel.sources.push_back(path);
}

llvm::Error add_symvers(const std::string &path, Kernel &kernel) {
  llvm::Expected<std::vector<ExportedSymbol>> exports = read_symvers(path);
  if (!exports)
    return make_error(path + ": " + to_message(exports.takeError()));
  kernel.has_symvers = true;
  kernel.sources.push_back(path);
  add_exports(kernel, *exports);
  return llvm::Error::success();
}

// The exports of vmlinux from the kernel's image, /boot/vmlinuz-R, when
// there is one.
llvm::Error add_image(const std::string &root, Kernel &kernel) {
  std::optional<std::string> path = under_root(root, "/boot/vmlinuz-" + kernel.release);
  if (!path || !is_file(*path))
    return llvm::Error::success();
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = map_file(*path);
  if (!buffer)
    return make_error(*path + ": " + to_message(buffer.takeError()));
  auto image = read_kernel_image(std::string_view((*buffer)->getBufferStart(), (*buffer)->getBufferSize()));
  if (!image)
    return make_error(*path + ": " + to_message(image.takeError()));
  if (!*image)
    return make_error(*path + ": not a kernel image (no boot header)");
  kernel.has_image = true;
  kernel.sources.push_back(*path);
  add_exports(kernel, (*image)->exports);
  return llvm::Error::success();
}

// Module files are found by content (ELF, or compressed) and read whole.
Discovery find_module_files(const std::string &tree, const std::string &root) {
  DiscoverOptions options;
  options.root = root;
  options.accept = [](std::string_view head) {
    return sniff_content(head) == ContentKind::Elf || compression_of(head) != Compression::None;
  };
  options.note_links = false;
  return discover({tree}, options);
}

bool in_tree_path(const std::string &tree, const std::string &path) {
  std::string prefix = join_path(tree, "kernel/");
  return path.compare(0, prefix.size(), prefix) == 0;
}

// Reads the module files WANTED on all cores: a module each, or nothing for
// another ELF file of the tree, or why it cannot be read.
struct ReadModules {
  std::vector<std::optional<Module>> modules;
  std::vector<std::string> errors;
};

ReadModules read_modules(const std::vector<const InputFile *> &wanted) {
  ReadModules out;
  out.modules.resize(wanted.size());
  out.errors.resize(wanted.size());
  parallel_for(wanted.size(), [&](std::size_t i) {
    llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = map_file(wanted[i]->open_path);
    if (!buffer) {
      out.errors[i] = to_message(buffer.takeError());
      return;
    }
    std::string_view bytes((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
    auto module = read_module_if_any(bytes, wanted[i]->path);
    if (module)
      out.modules[i] = std::move(*module);
    else
      out.errors[i] = to_message(module.takeError());
  });
  return out;
}

// The modules of TREE. With Module.symvers the in-tree modules' exports
// are known already: of them, only the first is read, for the vermagic and
// struct module size the kernel was built with. When WHOLE is given, every
// module is read and kept there, and one that cannot be read is set aside
// in it rather than failing the kernel (the audit reports it and goes on).
llvm::Error add_tree_modules(const std::string &tree, const std::string &root, Kernel &kernel,
                             InstalledTree *whole = nullptr) {
  Discovery found = find_module_files(tree, root);
  if (!found.errors.empty())
    return make_error(found.errors.front().path + ": " + found.errors.front().reason);
  std::vector<const InputFile *> wanted;
  bool first_in_tree = true;
  for (const InputFile &file : found.files)
    if (whole || !kernel.has_symvers || !in_tree_path(tree, file.path) || std::exchange(first_in_tree, false))
      wanted.push_back(&file);
  ReadModules read = read_modules(wanted);
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (!read.errors[i].empty() && !whole)
      return make_error(wanted[i]->path + ": " + read.errors[i]);
    if (!read.errors[i].empty())
      whole->unreadable.push_back({wanted[i]->path, read.errors[i]});
    if (!read.modules[i])
      continue; // another ELF file in the tree
    const Module &module = *read.modules[i];
    if (module.in_tree() && !kernel.vermagic) {
      kernel.vermagic = module.info("vermagic");
      kernel.this_module_size = module.this_module_size;
      kernel.machine = module.machine;
      kernel.sources.push_back(module.path);
    }
    add_exports(kernel, module.exports);
    if (whole)
      whole->modules.push_back(std::move(*read.modules[i]));
  }
  return llvm::Error::success();
}

// A modules tree: its release is its folder's name.
llvm::Expected<Kernel> load_tree(const std::string &tree, const std::string &root, InstalledTree *whole = nullptr) {
  Kernel kernel;
  std::string inside = path_inside_root(root, tree);
  kernel.release = inside.substr(inside.rfind('/') + 1);
  if (std::optional<std::string> config = under_root(root, "/boot/config-" + kernel.release); config && is_file(*config))
    read_config(*config, kernel);
  // The image is the kernel that boots: where the headers' Module.symvers
  // (another build of the same release, say) disagrees, the image counts.
  if (llvm::Error e = add_image(root, kernel))
    return e;
  std::optional<std::string> build = under_root(root, join_path(inside, "build"));
  if (build && is_directory(*build)) {
    if (!kernel.config_known && is_file(join_path(*build, ".config")))
      read_config(join_path(*build, ".config"), kernel);
    if (is_file(join_path(*build, "Module.symvers")))
      if (llvm::Error e = add_symvers(join_path(*build, "Module.symvers"), kernel))
        return e;
  }
  if (llvm::Error e = add_tree_modules(tree, root, kernel, whole))
    return e;
  return kernel;
}

// A build or headers tree: Module.symvers, .config, and the release in
// include/generated/utsrelease.h.
llvm::Expected<Kernel> load_build_tree(const std::string &tree) {
  Kernel kernel;
  if (llvm::Error e = add_symvers(join_path(tree, "Module.symvers"), kernel))
    return e;
  if (is_file(join_path(tree, ".config")))
    read_config(join_path(tree, ".config"), kernel);
  llvm::Expected<std::string> uts = read_small_file(join_path(tree, "include/generated/utsrelease.h"));
  if (!uts) {
    llvm::consumeError(uts.takeError());
    return kernel;
  }
  std::size_t open = uts->find("UTS_RELEASE \"");
  std::size_t close = open == std::string::npos ? open : uts->find('"', open + 13);
  if (close != std::string::npos)
    kernel.release = uts->substr(open + 13, close - open - 13);
  return kernel;
}

} // namespace

void add_exports(Kernel &kernel, const std::vector<ExportedSymbol> &exports) {
  for (const ExportedSymbol &symbol : exports)
    kernel.exports.emplace(symbol.name, symbol);
}

std::optional<std::string> installed_release(const std::string &path, const std::string &root) {
  std::string inside = path_inside_root(root, path);
  for (const char *prefix : {"/lib/modules/", "/usr/lib/modules/"}) {
    std::size_t length = std::strlen(prefix);
    if (inside.compare(0, length, prefix) != 0)
      continue;
    std::size_t slash = inside.find('/', length);
    if (slash != std::string::npos && slash > length)
      return inside.substr(length, slash - length);
  }
  return std::nullopt;
}

llvm::Expected<InstalledTree> load_installed_tree(const std::string &tree, const std::string &root) {
  InstalledTree whole;
  llvm::Expected<Kernel> kernel = load_tree(tree, root, &whole);
  if (!kernel)
    return kernel.takeError();
  whole.kernel = std::move(*kernel);
  return whole;
}

llvm::Expected<Kernel> load_kernel(const std::string &release_or_path, const std::string &root) {
  if (release_or_path.find('/') == std::string::npos) {
    for (const char *base : {"/lib/modules/", "/usr/lib/modules/"})
      if (std::optional<std::string> tree = under_root(root, base + release_or_path); tree && is_directory(*tree))
        return load_tree(*tree, root);
    return make_error(std::string("no kernel ") + release_or_path + " installed (no " +
                      (root == "/" ? "" : root) + "/lib/modules/" + release_or_path + ")");
  }
  char *real = ::realpath(release_or_path.c_str(), nullptr);
  if (!real)
    return make_error(std::strerror(errno));
  std::string path = real;
  std::free(real);
  if (is_file(path)) {
    Kernel kernel;
    if (llvm::Error e = add_symvers(path, kernel))
      return e;
    return kernel;
  }
  if (!is_directory(path))
    return make_error("not a modules tree, a build tree or a Module.symvers");
  if (is_file(join_path(path, "Module.symvers")) && !is_directory(join_path(path, "kernel")))
    return load_build_tree(path);
  return load_tree(path, root);
}

} // namespace abitag::kmod
