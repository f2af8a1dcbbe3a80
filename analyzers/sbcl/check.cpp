// SPDX-License-Identifier: MIT
#include "analyzers/sbcl/check.h"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint/discover.h"
#include "fingerprint/errors.h"
#include "fingerprint/paths.h"

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

// A path as the system under ROOT names it, and where abitag opens it.
struct Place {
  std::string shown;
  std::string host;
};

// SHOWN (inside ROOT) with its links taken under ROOT; on "/" a relative
// PATH entry is resolved too. Nothing when it does not exist.
std::optional<Place> locate(const std::string &root, const std::string &shown) {
  if (root == "/") {
    char *resolved = ::realpath(shown.c_str(), nullptr);
    if (!resolved)
      return std::nullopt;
    std::string real = resolved;
    std::free(resolved);
    return Place{shown, real};
  }
  llvm::Expected<std::string> host = resolve_under_root(root, shown);
  if (!host) {
    llvm::consumeError(host.takeError());
    return std::nullopt;
  }
  return Place{shown, *host};
}

// The core the runtime started as SBCL (a wrapper script standing for it)
// loads by default: $SBCL_HOME/sbcl.core, else ../lib/sbcl/sbcl.core from
// the folder of the program's real file, else sbcl.core in that folder.
// The host's SBCL_HOME says nothing about another root.
std::optional<Place> default_core(const std::string &root, const Place &sbcl) {
  if (const char *home = std::getenv("SBCL_HOME"); root == "/" && home && *home)
    return Place{std::string(home) + "/sbcl.core", std::string(home) + "/sbcl.core"};
  std::string real = path_inside_root(root, sbcl.host); // resolve_under_root kept it under ROOT
  std::string bin = parent_dir(real);
  for (const std::string &core : {join_path(parent_dir(bin), "lib/sbcl/sbcl.core"), join_path(bin, "sbcl.core")})
    if (std::optional<Place> found = locate(root, core))
      return Place{core, found->host};
  return std::nullopt;
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

} // namespace

const char *runtime_places() {
  return "/usr/local/bin/sbcl, /usr/bin/sbcl, or the sbcl.core of a wrapper script";
}

RuntimeLookup find_runtime(const std::string &option, const std::string &root) {
  RuntimeLookup out;
  if (!option.empty()) {
    llvm::Expected<std::string> id = build_id_of(option);
    if (!id)
      out.input_error = to_message(id.takeError());
    else
      out.runtime = Runtime{option, *id};
    return out;
  }
  std::vector<std::string> programs;
  if (root != "/") {
    programs = {"/usr/local/bin/sbcl", "/usr/bin/sbcl"};
  } else {
    if (std::optional<std::string> sbcl = search_path("sbcl"))
      programs.push_back(*sbcl);
    programs.push_back("/usr/bin/sbcl");
  }
  std::vector<Place> candidates;
  for (const std::string &program : programs) {
    std::optional<Place> found = locate(root, program);
    if (!found)
      continue;
    candidates.push_back(*found);
    if (std::optional<Place> core = default_core(root, *found)) // when `sbcl` is a wrapper script
      candidates.push_back(*core);
  }
  std::string tried;
  for (const Place &candidate : candidates) {
    llvm::Expected<std::string> id = build_id_of(candidate.host);
    if (id) {
      out.runtime = Runtime{candidate.shown, *id};
      return out;
    }
    tried += (tried.empty() ? "" : "; ") + candidate.shown + ": " + to_message(id.takeError());
  }
  out.failure = std::string("no SBCL runtime found to check against (") +
                (root == "/" ? "give --runtime PATH" : std::string("none at ") + runtime_places() + " under " + root) +
                ")" + (tried.empty() ? std::string() : " (" + tried + ")");
  return out;
}

CoreCheck check_core(const SbclFile &file, const std::optional<std::string> &embedded_runtime_id,
                     const ForeignLibraries &libraries, const Runtime *runtime,
                     const LibrarySearch &search) {
  CoreCheck out;
  // The runtime's own wording (coreparse.c), so the two can be compared.
  auto mismatch = [&](const std::string &runtime_id, const std::string &runtime_path) {
    out.problems.push_back({ProblemKind::BuildIdMismatch,
                            "core was built for runtime \"" + file.build_id + "\" but this is \"" + runtime_id +
                                "\" (" + runtime_path + ")",
                            {}});
  };
  if (file.kind == FileKind::Core && runtime && runtime->build_id != file.build_id)
    mismatch(runtime->build_id, runtime->path);
  if (file.kind == FileKind::Executable && embedded_runtime_id && *embedded_runtime_id != file.build_id)
    mismatch(*embedded_runtime_id, "its own runtime");

  if (!libraries.known) {
    out.notes.push_back("foreign libraries unknown: " + libraries.unknown_reason);
    return out;
  }
  for (const std::string &name : libraries.names) {
    if (!name.empty() && name[0] == '/') {
      // dlopen takes the path as it is, so inside the root it is the root's file.
      llvm::Expected<std::string> host = resolve_under_root(search.root, name);
      if (host && exists(*host))
        continue;
      if (!host)
        llvm::consumeError(host.takeError());
      out.problems.push_back({ProblemKind::MissingLibrary, "foreign library \"" + name + "\" does not exist", name});
    } else if (name.find('/') != std::string::npos) {
      out.notes.push_back("foreign library \"" + name +
                          "\" is a relative path: it loads only from the right working directory");
    } else if (!soname_resolves(name, search)) {
      out.problems.push_back({ProblemKind::UnresolvedSoname,
                              "foreign library \"" + name +
                                  "\" is not found by the dynamic linker (ld.so.cache, /etc/ld.so.conf, "
                                  "default directories)",
                              name});
    }
  }
  return out;
}

} // namespace abitag::sbcl
