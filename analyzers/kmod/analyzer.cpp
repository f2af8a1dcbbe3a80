// SPDX-License-Identifier: MIT
// The kmod analyzer: the tag of a kernel (its vermagic and a hash of what it
// exports), the kernel each out-of-tree module was built for, and --check,
// which says whether a kernel would load each module.
#include <cerrno>
#include <climits>
#include <cstring>
#include <cstdlib>
#include <map>
#include <set>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "analyzers/kmod/kmod.h"
#include "analyzers/kmod/module_reader.h"
#include "analyzers/kmod/report.h"
#include "fingerprint/discover.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/paths.h"

namespace abitag::kmod {
namespace {

Read read_input(const InputFile &input, bool named) {
  Read out;
  out.path = input.path;
  out.named = named;
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = map_file(input.open_path);
  if (!buffer) {
    out.error = to_message(buffer.takeError());
    return out;
  }
  std::string_view bytes((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  llvm::Expected<KmodFile> file = read_kmod_file(bytes, input.path);
  if (!file)
    out.error = to_message(file.takeError());
  else
    out.file = std::move(*file);
  return out;
}

// Every input file, read in parallel, largest first. A named file that is
// neither a module nor a Module.symvers is an error; one met in a walk is
// skipped (a kernel tree holds other files).
std::vector<Read> read_inputs(const AnalysisInputs &inputs, Analysis &out, std::size_t &other) {
  DiscoverOptions options;
  options.root = inputs.root;
  options.accept = may_be_kmod_file;
  options.wanted = "not a kernel module, Module.symvers or kernel image (ELF, xz, zstd, gzip or MZ)";
  Discovery found = discover(inputs.paths, options);
  out.errors = found.errors;
  other = found.other_files;
  std::set<std::string> named(inputs.paths.begin(), inputs.paths.end());
  std::vector<Read> reads(found.files.size());
  for_each_file_largest_first(found.files, [&](std::size_t i) {
    reads[i] = read_input(found.files[i], named.count(found.files[i].path) > 0);
  });
  std::vector<Read> kept;
  for (Read &read : reads) {
    bool ours = read.file.module || read.file.symvers || read.file.image;
    if (read.error.empty() && !ours && read.named)
      read.error = "not a kernel module, Module.symvers or kernel image";
    if (!read.error.empty())
      out.errors.push_back({read.path, read.error});
    else if (ours)
      kept.push_back(std::move(read));
    else
      ++other;
  }
  return kept;
}

std::string absolute(const std::string &path) {
  if (!path.empty() && path[0] == '/')
    return path;
  char cwd[PATH_MAX];
  return ::getcwd(cwd, sizeof cwd) ? join_path(cwd, path) : path;
}

// The kernel the inputs make up: their Module.symvers and in-tree modules.
Kernel kernel_of(const std::vector<Read> &reads) {
  Kernel kernel;
  // The image first: where a Module.symvers disagrees with it, the kernel that boots counts.
  for (const Read &read : reads) {
    if (read.file.image) {
      kernel.has_image = true;
      kernel.release = read.file.image->release;
      kernel.sources.push_back(read.path);
      add_exports(kernel, read.file.image->exports);
    }
  }
  for (const Read &read : reads) {
    if (read.file.symvers) {
      kernel.has_symvers = true;
      kernel.sources.push_back(read.path);
      add_exports(kernel, *read.file.symvers);
    }
  }
  for (const Read &read : reads) {
    const std::optional<Module> &module = read.file.module;
    if (!module || !module->in_tree())
      continue;
    if (!kernel.vermagic && module->info("vermagic")) {
      kernel.vermagic = module->info("vermagic");
      kernel.release = kernel.vermagic->substr(0, kernel.vermagic->find(' '));
      kernel.this_module_size = module->this_module_size;
      kernel.machine = module->machine;
    }
    add_exports(kernel, module->exports);
  }
  return kernel;
}

class KmodAnalyzer final : public Analyzer {
public:
  std::string_view name() const override { return "kmod"; }
  // The symbol CRCs are genksyms' hashes of the exported types and vermagic
  // holds the release and configuration: a function of the kernel's source
  // and .config (a reproducible kernel build gives the same).
  RebuildChange rebuild_change() const override { return RebuildChange::WithInputs; }

  std::string_view description() const override {
    return "kernel modules (vermagic, symbol CRCs), Module.symvers and kernel images: a kernel's tag, and "
           "--check whether it loads a module";
  }

  void add_options(CLI::App &command) override {
    auto *check = command.add_flag("--check", check_,
                                   "say whether the kernel would load each module, one line per refusal in the "
                                   "kernel's words; exit 1 on a refusal");
    command.add_option("--kernel", kernel_,
                       "the kernel for --check: a RELEASE under --root's /lib/modules (its exports from "
                       "/boot/vmlinuz-RELEASE, RELEASE/build/Module.symvers and its modules), or a PATH (a "
                       "modules tree, a build tree or a Module.symvers); default: the kernel each module is "
                       "installed for, else the release in its vermagic")
        ->needs(check);
  }

  // A package's modules under a modules tree, its Module.symvers and its
  // kernel images: a kernel package gets the kernel's tag, a package of
  // out-of-tree modules the kernel they were built for.
  bool adopts(std::string_view path, std::string_view) const override {
    std::string_view name = path.substr(path.rfind('/') + 1);
    if (path.substr(0, 14) == "/boot/vmlinuz-")
      return true;
    if (path.find("/lib/modules/") == std::string_view::npos)
      return false;
    if (name == "Module.symvers")
      return true;
    for (std::string_view suffix : {".ko", ".ko.xz", ".ko.gz", ".ko.zst"}) // not ends_with: the fuzz build is C++17
      if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
        return true;
    return false;
  }

  Analysis analyze(const AnalysisInputs &inputs) override {
    Analysis out;
    std::size_t other = 0;
    std::vector<Read> reads = read_inputs(inputs, out, other);
    if (!out.errors.empty())
      return out;
    return check_ ? check(reads, inputs, out) : describe(reads, other, inputs, out);
  }

private:
  Analysis &describe(const std::vector<Read> &reads, std::size_t other, const AnalysisInputs &inputs,
                     Analysis &out) {
    Description description;
    description.other_files = other;
    Kernel kernel = kernel_of(reads);
    if (kernel.vmlinux_exports_known() || kernel.vermagic) {
      description.value = kernel_tag(kernel);
      description.kernel = std::move(kernel);
    } else {
      std::vector<std::pair<std::string, std::string>> built_for; // out-of-tree modules: vermagic, path
      for (const Read &read : reads)
        if (read.file.module && !read.file.module->in_tree())
          built_for.emplace_back(vermagic_words(read.file.module->info("vermagic").value_or("-")), read.path);
      description.value = built_for_value(built_for);
    }
    out.value = description.value;
    out.document = description_json(reads, description);
    if (inputs.explain)
      out.explanation = description_explanation(reads, description);
    return out;
  }

  // What out-of-tree modules were built for: their vermagic, once when they
  // all agree, else VALUE  PATH per module.
  static std::string built_for_value(const std::vector<std::pair<std::string, std::string>> &built_for) {
    std::set<std::string> distinct;
    for (const auto &[magic, path] : built_for)
      distinct.insert(magic);
    std::string value;
    if (distinct.size() == 1)
      return *distinct.begin();
    for (const auto &[magic, path] : built_for)
      value += (value.empty() ? "" : "\n") + magic + "  " + path;
    return value;
  }

  // The kernel for a module: --kernel, else the release it is installed
  // under, else the release its vermagic names. Loaded once per release.
  const Kernel *kernel_for(const Module &module, const std::string &root, Analysis &out) {
    std::string wanted = kernel_;
    if (wanted.empty())
      wanted = installed_release(absolute(module.path), root)
                   .value_or(module.info("vermagic").value_or("").substr(0, module.info("vermagic").value_or("").find(' ')));
    if (wanted.empty()) {
      out.errors.push_back({module.path, "no vermagic, and not installed under /lib/modules: give --kernel"});
      return nullptr;
    }
    auto cached = kernels_.find(wanted);
    if (cached != kernels_.end())
      return &cached->second;
    llvm::Expected<Kernel> kernel = load_kernel(wanted, root);
    if (!kernel) {
      std::string message = to_message(kernel.takeError());
      if (kernel_.empty() && wanted.find('/') == std::string::npos)
        out.failure = module.path + ": " + message + ": give --kernel";
      else
        out.errors.push_back({wanted, message});
      return nullptr;
    }
    if (!kernel->vmlinux_exports_known()) {
      // Without them every import from vmlinux would look unknown.
      out.failure = "kernel " + kernel->release + ": no Module.symvers in its build tree (/lib/modules/" +
                    kernel->release + "/build) and no image /boot/vmlinuz-" + kernel->release +
                    ": the exports of vmlinux are not known; install its headers, or give --kernel PATH to a " +
                    "build tree or a Module.symvers";
      return nullptr;
    }
    // The modules checked together are loaded together (modprobe loads a
    // module's dependencies first): each may import from the others.
    for (const Module *given : given_)
      add_exports(*kernel, given->exports);
    return &kernels_.emplace(wanted, std::move(*kernel)).first->second;
  }

  Analysis &check(const std::vector<Read> &reads, const AnalysisInputs &inputs, Analysis &out) {
    // The kernel is looked for inside --root, and an installed module's
    // release read from its path inside it: both need the root's real path.
    char canonical[PATH_MAX];
    if (!::realpath(inputs.root.c_str(), canonical)) {
      out.errors.push_back({inputs.root, std::strerror(errno)});
      return out;
    }
    for (const Read &read : reads)
      if (read.file.module)
        given_.push_back(&*read.file.module);
    CheckRun run;
    for (const Read &read : reads) {
      if (!read.file.module)
        continue;
      const Kernel *kernel = kernel_for(*read.file.module, canonical, out);
      if (!kernel)
        return out;
      run.modules.push_back({&read, kernel, check_module(*read.file.module, *kernel)});
    }
    for (const auto &[wanted, kernel] : kernels_)
      run.kernels.push_back(&kernel);
    std::vector<std::string> lines = refusal_lines(run);
    for (const std::string &line : lines)
      out.value += (out.value.empty() ? "" : "\n") + line;
    out.exit_code = lines.empty() ? kExitOk : kExitFindings;
    out.document = check_run_json(run, out.value);
    out.explanation = check_explanation(run);
    return out;
  }

  bool check_ = false;
  std::string kernel_;
  std::map<std::string, Kernel> kernels_;
  std::vector<const Module *> given_; // the modules --check was given
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<KmodAnalyzer>(); });
}

} // namespace abitag::kmod
