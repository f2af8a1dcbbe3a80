// SPDX-License-Identifier: MIT
// The python section: what a removed or upgraded CPython leaves behind.
//  - A versioned folder (ROOT/usr/lib/python3.9, /usr/local/lib/python3.9)
//    whose interpreter is no longer installed: nothing in it is on any
//    interpreter's path, so every package still installing files there is
//    broken now (named through the package roll-up); files no package owns
//    are leftovers.
//  - Bytecode no installed interpreter reads (its magic number, the first
//    two bytes of a .pyc, is none of theirs). A cached .pyc (in __pycache__)
//    is only dead weight, as the interpreter ignores it; a sourceless .pyc
//    (outside __pycache__, what a package ships without its .py) fails to
//    import ("bad magic number"), broken now.
// Interpreters are found as `abitag python --check` finds them
// (python::installed_interpreters). The section walks only the python
// folders of /usr/lib, /usr/local/lib and /usr/lib64, not the audit's walk.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "analyzers/python/python.h"
#include "audit/section.h"
#include "fingerprint/discover.h"
#include "fingerprint/paths.h"
#include "fingerprint/walk.h"

namespace abitag::audit {
namespace {

// The python folders below ROOT's library folders: host paths, once each.
std::vector<std::string> python_folders(const std::string &root) {
  std::set<std::string> out;
  for (const char *base : {"/usr/lib", "/usr/local/lib", "/usr/lib64"}) {
    llvm::Expected<std::string> host = resolve_under_root(root, base);
    if (!host) {
      llvm::consumeError(host.takeError());
      continue;
    }
    WalkVisitor visitor;
    std::mutex mutex;
    visitor.enter = [&](const std::string &parent, std::string_view name, int) {
      if (name.substr(0, 6) == "python") {
        std::lock_guard<std::mutex> lock(mutex);
        out.insert(join_path(parent, std::string(name)));
      }
      return false;
    };
    walk_tree(*host, visitor);
  }
  return {out.begin(), out.end()};
}

struct FolderFiles {
  std::vector<std::string> files; // regular files, inside the root
  std::map<std::string, std::uint16_t> pyc_magic; // .pyc files read, inside the root
  std::vector<std::pair<std::string, std::string>> unreadable;
};

FolderFiles folder_files(const std::string &root, const std::string &folder) {
  FolderFiles out;
  std::mutex mutex;
  WalkVisitor visitor;
  visitor.head_size = 16;
  visitor.file = [&](const WalkedFile &file) {
    std::string path = path_inside_root(root, file.path());
    std::optional<std::uint16_t> magic;
    if (path.size() > 4 && path.compare(path.size() - 4, 4, ".pyc") == 0 && python::looks_like_pyc(file.head))
      magic = std::uint8_t(file.head[0]) | std::uint8_t(file.head[1]) << 8;
    std::lock_guard<std::mutex> lock(mutex);
    if (magic)
      out.pyc_magic[path] = *magic;
    out.files.push_back(std::move(path));
  };
  visitor.error = [&](const std::string &path, const std::string &reason) {
    std::lock_guard<std::mutex> lock(mutex);
    out.unreadable.emplace_back(path_inside_root(root, path), reason);
  };
  walk_tree(folder, visitor);
  std::sort(out.files.begin(), out.files.end(), path_order_less);
  return out;
}

struct Counts {
  std::size_t interpreters = 0, orphan_folders = 0, stale_pyc = 0, sourceless = 0;
};

class PythonSection final : public AuditSection {
public:
  std::string_view name() const override { return "python"; }
  std::string_view description() const override {
    return "folders of Python versions no longer installed (the packages still installing there), and bytecode "
           "no installed interpreter reads";
  }

  SectionReport run(AuditContext &context) override {
    SectionReport out;
    std::vector<InputError> errors;
    std::vector<python::Interpreter> interpreters = python::installed_interpreters(context.root(), errors);
    for (const InputError &error : errors)
      out.findings.push_back({Severity::Informational, "python", "unreadable-interpreter",
                              path_inside_root(context.root(), error.path), error.reason, {}, {}});
    Counts counts;
    std::set<std::string> versions;
    std::set<std::uint16_t> magics;
    for (const python::Interpreter &interpreter : interpreters) {
      if (!interpreter.problem.empty())
        continue; // a standard library without its program imports nothing
      ++counts.interpreters;
      versions.insert(interpreter.config.version);
      if (interpreter.magic)
        magics.insert(*interpreter.magic);
    }
    for (const std::string &folder : python_folders(context.root())) {
      if (!overlaps(folder, context.walk()))
        continue;
      std::string inside = path_inside_root(context.root(), folder);
      std::string version = python::versioned_folder(inside + "/");
      FolderFiles files = folder_files(context.root(), folder);
      if (!version.empty() && !versions.count(version)) {
        report_orphan_folder(context, inside, version, files, out);
        ++counts.orphan_folders;
      } else if (!magics.empty()) {
        report_stale_bytecode(context, inside, files, magics, counts, out);
      }
    }
    summarize(counts, out);
    return out;
  }

private:
  static void report_orphan_folder(AuditContext &context, const std::string &folder, const std::string &version,
                                   const FolderFiles &files, SectionReport &out) {
    if (files.files.empty())
      return; // an empty folder left behind breaks nothing
    std::size_t unowned = 0;
    std::vector<std::string> rebuild = one_file_per_package(context, files.files, unowned);
    bool packaged = !rebuild.empty();
    std::string reason = "no Python " + version + " is installed, so nothing in " + folder +
                         " is imported: " + std::to_string(files.files.size()) + " files, " +
                         std::to_string(rebuild.size()) + " packages still install there";
    if (unowned)
      reason += ", " + std::to_string(unowned) + " files no package owns";
    out.findings.push_back({packaged ? Severity::BrokenNow : Severity::Informational, "python",
                            packaged ? "removed-interpreter" : "leftover-folder", folder, reason, std::move(rebuild),
                            {{"version", version}, {"files", files.files.size()}, {"unowned", unowned}}});
  }

  // One finding per folder, magic and kind (cached or sourceless).
  static void report_stale_bytecode(AuditContext &context, const std::string &folder, const FolderFiles &files,
                                    const std::set<std::uint16_t> &magics, Counts &counts, SectionReport &out) {
    std::map<std::pair<std::uint16_t, bool>, std::vector<std::string>> stale;
    for (const auto &[path, magic] : files.pyc_magic) {
      if (magics.count(magic))
        continue;
      bool cached = path.find("/__pycache__/") != std::string::npos;
      stale[{magic, cached}].push_back(path);
    }
    for (auto &[key, paths] : stale) {
      auto [magic, cached] = key;
      (cached ? counts.stale_pyc : counts.sourceless) += paths.size();
      std::size_t unowned = 0;
      std::vector<std::string> rebuild = cached ? std::vector<std::string>() : one_file_per_package(context, paths, unowned);
      std::string what = std::to_string(paths.size()) + (cached ? " cached" : " sourceless") + " .pyc files in " +
                         folder + " are " + python::magic_name(magic) + ", which no installed interpreter reads";
      what += cached ? " (it ignores them: only the space is lost)" : " (importing them fails: bad magic number)";
      out.findings.push_back({cached ? Severity::Informational : Severity::BrokenNow, "python",
                              cached ? "stale-bytecode-cache" : "foreign-bytecode", paths.front(), what,
                              std::move(rebuild), {{"magic", magic}, {"files", paths}}});
    }
  }

  static void summarize(const Counts &counts, SectionReport &out) {
    out.summary_lines.push_back(std::to_string(counts.interpreters) + " interpreters, " +
                                std::to_string(counts.orphan_folders) + " folders of Pythons not installed, " +
                                std::to_string(counts.stale_pyc) + " stale cached .pyc, " +
                                std::to_string(counts.sourceless) + " sourceless .pyc no interpreter reads");
    out.summary = {{"interpreters", counts.interpreters},
                   {"folders_without_interpreter", counts.orphan_folders},
                   {"stale_cached_pyc", counts.stale_pyc},
                   {"foreign_sourceless_pyc", counts.sourceless}};
  }
};

} // namespace

std::unique_ptr<AuditSection> make_python_section() { return std::make_unique<PythonSection>(); }

} // namespace abitag::audit
