#include "analyzers/sbcl/check.h"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzers/sbcl/runtime_build_id.h"
#include "fingerprint/errors.h"

namespace abitag::sbcl {
namespace {

std::optional<std::string> search_path(const std::string &program) {
  const char *path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t colon = dirs.find(':', start);
    if (colon == std::string::npos)
      colon = dirs.size();
    std::string dir = dirs.substr(start, colon - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = colon + 1;
  }
  return std::nullopt;
}

// The build id a runtime or core at PATH stands for.
llvm::Expected<std::string> build_id_of(const std::string &path) {
  llvm::Expected<SbclFile> file = identify_file(path);
  if (!file)
    return file.takeError();
  if (file->kind == FileKind::Other)
    return make_error("not an SBCL runtime (no build_id symbol) or core");
  return file->build_id;
}

std::string sbcl_home_core(const std::string &sbcl) {
  if (const char *home = std::getenv("SBCL_HOME"); home && *home)
    return std::string(home) + "/sbcl.core";
  // The runtime's own default: ../lib/sbcl next to its bin folder.
  std::string real = sbcl;
  if (char *resolved = ::realpath(sbcl.c_str(), nullptr)) {
    real = resolved;
    std::free(resolved);
  }
  std::string bin = real.substr(0, real.rfind('/'));
  return bin.substr(0, bin.rfind('/')) + "/lib/sbcl/sbcl.core";
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

} // namespace

RuntimeLookup find_runtime(const std::string &option) {
  RuntimeLookup out;
  if (!option.empty()) {
    llvm::Expected<std::string> id = build_id_of(option);
    if (!id)
      out.input_error = to_message(id.takeError());
    else
      out.runtime = Runtime{option, *id};
    return out;
  }
  std::vector<std::string> candidates;
  if (std::optional<std::string> sbcl = search_path("sbcl")) {
    candidates.push_back(*sbcl);
    candidates.push_back(sbcl_home_core(*sbcl)); // when `sbcl` is a wrapper script
  }
  candidates.push_back("/usr/bin/sbcl");
  std::string tried;
  for (const std::string &candidate : candidates) {
    if (!exists(candidate))
      continue;
    llvm::Expected<std::string> id = build_id_of(candidate);
    if (id) {
      out.runtime = Runtime{candidate, *id};
      return out;
    }
    tried += (tried.empty() ? "" : "; ") + candidate + ": " + to_message(id.takeError());
  }
  out.failure = "no SBCL runtime found to check against (give --runtime PATH)" +
                (tried.empty() ? std::string() : " (" + tried + ")");
  return out;
}

CoreCheck check_core(const std::string &path, const SbclFile &file,
                     const std::optional<std::string> &embedded_runtime_id,
                     const ForeignLibraries &libraries, const Runtime *runtime,
                     const LibrarySearch &search) {
  CoreCheck out;
  // The runtime's own wording (coreparse.c), so the two can be compared.
  auto mismatch = [&](const std::string &runtime_id, const std::string &runtime_path) {
    out.problems.push_back(path + ": core was built for runtime \"" + file.build_id + "\" but this is \"" +
                           runtime_id + "\" (" + runtime_path + ")");
  };
  if (file.kind == FileKind::Core && runtime && runtime->build_id != file.build_id)
    mismatch(runtime->build_id, runtime->path);
  if (file.kind == FileKind::Executable && embedded_runtime_id && *embedded_runtime_id != file.build_id)
    mismatch(*embedded_runtime_id, "its own runtime");

  if (!libraries.known) {
    out.notes.push_back(path + ": foreign libraries unknown: " + libraries.unknown_reason);
    return out;
  }
  for (const std::string &name : libraries.names) {
    if (!name.empty() && name[0] == '/') {
      if (!exists(name))
        out.problems.push_back(path + ": foreign library \"" + name + "\" does not exist");
    } else if (name.find('/') != std::string::npos) {
      out.notes.push_back(path + ": foreign library \"" + name +
                          "\" is a relative path: it loads only from the right working directory");
    } else if (!soname_resolves(name, search)) {
      out.problems.push_back(path + ": foreign library \"" + name +
                             "\" is not found by the dynamic linker (ld.so.cache, /etc/ld.so.conf, "
                             "default directories)");
    }
  }
  return out;
}

} // namespace abitag::sbcl
