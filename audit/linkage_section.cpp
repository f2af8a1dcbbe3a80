// SPDX-License-Identifier: MIT
// Linkage: every ELF program and library under ROOT linked as ld.so would
// link it, inside ROOT. Missing libraries, missing symbol versions and
// undefined symbols are reported; an undefined C++ symbol whose dual-ABI twin
// is exported instead is explained, with the side to rebuild.
#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "analyzers/cxxabi/cxxabi.h"
#include "audit/dual_abi.h"
#include "audit/loader.h"
#include "audit/plugin_hosts.h"
#include "audit/search_paths.h"
#include "audit/sysroots.h"
#include "elf/demangle.h"
#include "fingerprint/discover.h"
#include "audit/section.h"
#include "fingerprint/parallel.h"

namespace abitag::audit {
namespace {

constexpr std::size_t kSymbolsInReason = 3;

std::string join(const std::vector<std::string> &items, const char *separator) {
  std::string out;
  for (const std::string &item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string with_version(const std::string &name, const std::string &version) {
  return version.empty() ? name : name + "@" + version;
}

// The C++ exports of a library by their dual-ABI-neutral form, built when an
// unresolved C++ import first needs them. Shared by the threads explaining
// files: each library's index is built once, by the first to ask.
class TwinIndex {
public:
  const std::vector<DynamicSymbol> *twins(const ElfEntry &library, const std::string &neutral) {
    Slot *slot;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      slot = &slots_[&library]; // unordered_map nodes stay put
    }
    std::call_once(slot->built, [&] { slot->index = build(library); });
    auto hit = slot->index.find(neutral);
    return hit == slot->index.end() ? nullptr : &hit->second;
  }

private:
  using Index = std::unordered_map<std::string, std::vector<DynamicSymbol>>;
  struct Slot {
    std::once_flag built;
    Index index;
  };
  static Index build(const ElfEntry &library) {
    Index out;
    auto symbols = read_dynamic_symbols(library.host_path);
    if (!symbols) {
      llvm::consumeError(symbols.takeError());
      return out;
    }
    for (std::size_t i = 0; i < symbols->size(); ++i) {
      const elf::Symbol &s = symbols->all()[i];
      if (!s.undefined && !s.local && s.name.startswith("_Z")) {
        std::string neutral = dual_abi_neutral(std::string_view(s.name.data(), s.name.size()));
        if (!neutral.empty())
          out[neutral].push_back((*symbols)[i]);
      }
    }
    return out;
  }
  std::mutex mutex_;
  std::unordered_map<const ElfEntry *, Slot> slots_;
};

// What explaining one file's unresolved symbols gives: its findings, and the
// list of them for the summary (null when it could not be read again).
struct Explanation {
  std::vector<Finding> findings;
  nlohmann::ordered_json listed;
};

class LinkageSection final : public AuditSection {
public:
  std::string_view name() const override { return "linkage"; }
  std::string_view description() const override {
    return "libraries, symbol versions and symbols every ELF file needs, resolved as ld.so would";
  }

  SectionReport run(AuditContext &context) override {
    ElfScan &scan = context.elf_scan();
    SectionReport out;
    Loaders loaders(scan, context.sysroots());
    std::vector<const ElfEntry *> objects = linkable_objects(scan, loaders, out.findings);
    std::vector<LinkageResult> results = link_all(context, loaders, objects);
    report_sysroots(loaders, objects, out);
    PluginHosts hosts(scan, loaders, plugin_queries(objects, results));
    majority_ = majority_abi(scan);
    for (const InputError &error : scan.unreadable())
      out.findings.push_back({Severity::AtRisk, "linkage", "unreadable", error.path,
                              "cannot be read: " + error.reason, {}});
    // Explaining reads each such file again and the C++ exports of what it
    // loads: on all cores, merged below in the files' order.
    std::vector<Explanation> explained(objects.size());
    parallel_for(objects.size(), [&](std::size_t i) {
      if (!results[i].unresolved.empty())
        explained[i] = explain_unresolved(context, *objects[i], results[i], hosts);
    });
    Counts counts;
    nlohmann::ordered_json unresolved_by_file = object_with_room(
        std::count_if(results.begin(), results.end(), [](const LinkageResult &r) { return !r.unresolved.empty(); }));
    for (std::size_t i = 0; i < objects.size(); ++i)
      report_object(context, *objects[i], results[i], explained[i], counts, out.findings, unresolved_by_file);
    add_summary(scan, objects.size(), counts, out);
    out.summary["unresolved"] = std::move(unresolved_by_file);
    return out;
  }

private:
  struct Counts {
    std::size_t missing_libraries = 0, missing_versions = 0, unresolved = 0, reread_failures = 0;
  };

  // The loadable ELF files ROOT has a loader for; the others are reported
  // in FOREIGN, as not linked.
  std::vector<const ElfEntry *> linkable_objects(const ElfScan &scan, const Loaders &loaders,
                                                 std::vector<Finding> &foreign) {
    std::vector<const ElfEntry *> objects;
    for (std::size_t i = 0; i < scan.walked(); ++i) {
      const ElfEntry &entry = scan.entries()[i];
      if (!entry.facts.loadable())
        continue;
      const Sysroot *sysroot = loaders.sysroot_of(entry.path);
      if (std::string loader = loader_for(sysroot ? sysroot->host_path : scan.root(), entry.facts,
                                          sysroot && sysroot->musl);
          !loader.empty()) {
        foreign.push_back({Severity::Informational, "linkage", "no-loader", entry.path,
                           "not linked: ROOT has no dynamic loader for its architecture (" + loader +
                               "), so nothing here can load it (a cross toolchain's sysroot?)",
                           {}});
        continue;
      }
      objects.push_back(&entry);
    }
    return objects;
  }

  static std::vector<LinkageResult> link_all(AuditContext &context, Loaders &loaders,
                                             const std::vector<const ElfEntry *> &objects) {
    std::vector<LinkageResult> results(objects.size());
    context.progress().begin("linking", objects.size());
    parallel_for(objects.size(), [&](std::size_t i) {
      results[i] = loaders.for_file(*objects[i]).link(*objects[i]);
      if (results[i].unresolved.empty())
        results[i].closure.scope.clear(); // kept only to explain unresolved symbols
      results[i].closure.scope.shrink_to_fit();
      context.progress().advance();
    });
    context.progress().end();
    return results;
  }

  // The libraries with symbols nothing they load defines: plugins, when
  // a host under ROOT defines them. A program is no one's plugin.
  static std::vector<PluginQuery> plugin_queries(const std::vector<const ElfEntry *> &objects,
                                                 const std::vector<LinkageResult> &results) {
    std::vector<PluginQuery> out;
    for (std::size_t i = 0; i < objects.size(); ++i)
      if (!results[i].unresolved_imports.empty() && !objects[i]->facts.is_program())
        out.push_back({objects[i], &results[i].unresolved_imports});
    return out;
  }

  // The findings of one linked file, in the order the report has always
  // listed them: unreadable, interpreter, libraries, versions, symbols.
  void report_object(AuditContext &context, const ElfEntry &object, const LinkageResult &result,
                     Explanation &explained, Counts &counts, std::vector<Finding> &findings,
                     nlohmann::ordered_json &unresolved_by_file) {
    if (!result.unreadable.empty()) {
      ++counts.reread_failures;
      findings.push_back({Severity::AtRisk, "linkage", "unreadable", object.path,
                          "symbols not checked: cannot read again " + result.unreadable, {}});
    }
    if (!result.closure.missing_interpreter.empty())
      findings.push_back({Severity::BrokenNow, "linkage", "missing-interpreter", object.path,
                          "its program interpreter " + result.closure.missing_interpreter + " is not there",
                          {context.owners().describe(object.path)}});
    for (const MissingLibrary &miss : result.closure.missing) {
      if (miss.needed_by != object.path)
        continue; // reported on the library that needs it
      if (!miss.by_path.empty() && !object.facts.is_program())
        continue; // loaded first by its host: reported below
      ++counts.missing_libraries;
      findings.push_back(missing_library(context, object, miss));
    }
    for (const LoadedByPath &first : result.closure.by_path)
      if (first.needed_by == object.path)
        findings.push_back(loaded_by_path(context, object, first));
    for (const MissingVersion &miss : result.missing_versions) {
      ++counts.missing_versions;
      Finding f{Severity::BrokenNow, "linkage", "missing-version", object.path,
                "needs version " + miss.version + " of " + miss.library + ", which " + miss.library_path +
                    " does not define",
                {context.owners().describe(object.path) + ", against the installed " + miss.library}};
      f.details = {{"version", miss.version}, {"library", miss.library}, {"library_path", miss.library_path}};
      findings.push_back(std::move(f));
    }
    if (!result.unresolved.empty()) {
      counts.unresolved += result.unresolved.size();
      if (!explained.listed.is_null())
        unresolved_by_file[object.path] = std::move(explained.listed);
      for (Finding &f : explained.findings)
        findings.push_back(std::move(f));
    }
  }

  // One informational line per sysroot, and the list in the summary.
  static void report_sysroots(const Loaders &loaders, const std::vector<const ElfEntry *> &objects,
                              SectionReport &out) {
    nlohmann::ordered_json listed = nlohmann::ordered_json::array();
    for (const Sysroot &sysroot : loaders.sysroots()) {
      std::size_t linked = std::count_if(objects.begin(), objects.end(),
                                         [&](const ElfEntry *e) { return loaders.sysroot_of(e->path) == &sysroot; });
      std::string target = *sysroot.target ? std::string(" for ") + sysroot.target : "";
      out.findings.push_back({Severity::Informational, "linkage", "sysroot", sysroot.path,
                              "a sysroot" + target + ", with its own loader " + sysroot.loader + " and C library " +
                                  sysroot.libc + ": its " + std::to_string(linked) +
                                  " programs and libraries are linked inside it, as where they run",
                              {}});
      listed.push_back({{"path", sysroot.path}, {"target", sysroot.target}, {"loader", sysroot.loader},
                        {"libc", sysroot.libc}, {"linked", linked}});
    }
    out.summary["sysroots"] = std::move(listed);
  }

  static void add_summary(const ElfScan &scan, std::size_t linked, const Counts &counts, SectionReport &out) {
    out.summary_lines.push_back(std::to_string(linked) + " programs and libraries linked: " +
                                std::to_string(counts.missing_libraries) + " missing libraries, " +
                                std::to_string(counts.missing_versions) + " missing versions, " +
                                std::to_string(counts.unresolved) + " undefined symbols");
    if (std::size_t n = scan.key_cache().rereads())
      out.summary_lines.push_back(std::to_string(n) + " symbol tables read again, to stay within --memory");
    if (std::size_t n = count_kind(out, "no-loader"))
      out.summary_lines.push_back(std::to_string(n) + " files of an architecture ROOT has no loader for, not linked");
    out.summary["linked"] = linked;
    out.summary["no_loader"] = count_kind(out, "no-loader");
    out.summary["missing_libraries"] = counts.missing_libraries;
    out.summary["missing_versions"] = counts.missing_versions;
    out.summary["undefined_symbols"] = counts.unresolved;
    out.summary["unreadable"] = scan.unreadable().size() + counts.reread_failures;
    // Readings of symbol tables past the first, because the memory budget (--memory)
    // could not keep them from the scan until their check.
    out.summary["symbol_tables_reread"] = scan.key_cache().rereads();
  }

  static std::size_t count_kind(const SectionReport &report, const char *kind) {
    return std::count_if(report.findings.begin(), report.findings.end(),
                         [&](const Finding &f) { return f.kind == kind; });
  }

  // Empty when ROOT (or the sysroot the file lies in, at host path
  // ROOT_HOST) can load files like FACTS; else the loader it lacks. A
  // program brings its own PT_INTERP (a missing one is a finding of its
  // own, when ROOT has the standard loader); a library needs the standard
  // loader of its architecture, musl's in a MUSL sysroot.
  std::string loader_for(const std::string &root_host, const ElfFacts &facts, bool musl) {
    const char *standard = musl ? musl_interpreter(facts.machine, facts.elf_class).path
                                : standard_interpreter(facts.machine, facts.elf_class);
    if (!standard)
      return {};
    std::uint32_t key = std::uint32_t(facts.machine) << 8 | facts.elf_class;
    auto it = have_loader_.find({root_host, key});
    if (it == have_loader_.end()) {
      auto host = resolve_under_root(root_host, standard);
      if (!host)
        llvm::consumeError(host.takeError());
      it = have_loader_.emplace(std::make_pair(root_host, key), static_cast<bool>(host)).first;
    }
    if (it->second)
      return {};
    if (!facts.interpreter.empty()) {
      auto host = resolve_under_root(root_host, facts.interpreter);
      if (host)
        return {};
      llvm::consumeError(host.takeError());
    }
    return standard;
  }

  std::map<std::pair<std::string, std::uint32_t>, bool> have_loader_; // by root and target

  // The string ABI most of ROOT's C++ code was compiled with (files showing
  // exactly one, in what they define or import): the side of a mismatch
  // that differs from it is the one to rebuild. Without a majority, GCC 5
  // and later's default, the new ABI.
  static StringAbi majority_abi(const ElfScan &scan) {
    std::size_t old_abi = 0, new_abi = 0;
    for (std::size_t i = 0; i < scan.walked(); ++i) {
      std::uint8_t used = scan.entries()[i].facts.census.used_families & (cxxabi::kOldAbi | cxxabi::kNewAbi);
      old_abi += used == cxxabi::kOldAbi;
      new_abi += used == cxxabi::kNewAbi;
    }
    return old_abi > new_abi ? StringAbi::Old : StringAbi::New;
  }

  static Finding missing_library(AuditContext &context, const ElfEntry &object, const MissingLibrary &miss) {
    std::string reason = "needs " + miss.name + ", which is not in any folder it is searched in";
    if (!miss.by_path.empty())
      reason += " (" + miss.by_path + " has that soname, but a program cannot have it loaded before it starts)";
    if (!miss.passed_over.empty())
      reason += "; passed over: " + join(miss.passed_over, "; ");
    Finding f{Severity::BrokenNow, "linkage", "missing-library", object.path, reason,
              {context.owners().describe(object.path) + ", or install what provides " + miss.name}};
    f.details = {{"library", miss.name}, {"searched", miss.searched}, {"passed_over", miss.passed_over}};
    if (!miss.by_path.empty())
      f.details["by_path"] = miss.by_path;
    return f;
  }

  Finding loaded_by_path(AuditContext &context, const ElfEntry &object, const LoadedByPath &first) {
    std::string tree = parent_dir(parent_dir(object.path));
    const ElfEntry *host = program_needing(context.elf_scan(), first.name, object);
    if (!host)
      host = program_of_tree(context.elf_scan(), tree);
    std::string host_name = host ? host->path : "the program of " + tree + " that loads it";
    Finding f{Severity::AtRisk, "linkage", "loaded-by-path", object.path,
              "needs " + first.name + ", which is not in any folder it is searched in: resolves only when " +
                  host_name + " has loaded " + first.library->path + " first",
              {context.owners().describe(object.path)}};
    f.details = {{"library", first.name}, {"path", first.library->path}, {"host", host ? host->path : ""}};
    return f;
  }

  // The program that loads SONAME before OBJECT asks for it: one that needs
  // both (systemd needs libsystemd-core and the libsystemd-shared its RUNPATH
  // finds), else one that needs SONAME, else one that needs OBJECT (its
  // DT_RPATH then finds SONAME for it); the shortest path of the best kind,
  // null if none.
  static const ElfEntry *program_needing(const ElfScan &scan, const std::string &soname, const ElfEntry &object) {
    auto needs = [](const ElfEntry &entry, const std::string &name) {
      return !name.empty() &&
             std::find(entry.facts.needed.begin(), entry.facts.needed.end(), name) != entry.facts.needed.end();
    };
    const ElfEntry *found = nullptr;
    std::tuple<int, std::size_t, std::string_view> best;
    for (std::size_t i = 0; i < scan.walked(); ++i) {
      const ElfEntry &entry = scan.entries()[i];
      bool library = needs(entry, soname), requester = needs(entry, object.facts.soname);
      if (!entry.facts.is_program() || !(library || requester))
        continue;
      std::tuple<int, std::size_t, std::string_view> rank{library && requester ? 0 : library ? 1 : 2,
                                                          entry.path.size(), entry.path};
      if (!found || rank < best)
        found = &entry, best = rank;
    }
    return found;
  }

  // The program of TREE that loads its libraries by path: the one named
  // like the tree ("java" in /usr/lib/jvm/java-17-openjdk-amd64), else the
  // one of the shortest path. Null when the tree has no program.
  const ElfEntry *program_of_tree(const ElfScan &scan, const std::string &tree) {
    auto cached = tree_programs_.find(tree);
    if (cached != tree_programs_.end())
      return cached->second;
    std::string tree_name = tree.substr(tree.rfind('/') + 1);
    auto rank = [&](const ElfEntry *program) {
      std::string name = program->path.substr(program->path.rfind('/') + 1);
      return std::make_tuple(tree_name.compare(0, name.size(), name) != 0, program->path.size(), program->path);
    };
    const ElfEntry *best = nullptr;
    for (std::size_t i = 0; i < scan.walked(); ++i) {
      const ElfEntry &entry = scan.entries()[i];
      if (entry.facts.is_program() && entry.path.compare(0, tree.size() + 1, tree + "/") == 0 &&
          (!best || rank(&entry) < rank(best)))
        best = &entry;
    }
    return tree_programs_[tree] = best;
  }

  std::map<std::string, const ElfEntry *> tree_programs_;

  // Called on several threads at once: owners() and twins_ lock.
  Explanation explain_unresolved(AuditContext &context, const ElfEntry &object, const LinkageResult &result,
                                 PluginHosts &hosts) {
    Explanation out;
    auto symbols = read_dynamic_symbols(object.host_path, result.unresolved);
    if (!symbols) {
      out.findings.push_back({Severity::AtRisk, "linkage", "unreadable", object.path,
                              "cannot be read again: " + to_message(symbols.takeError()), {}});
      return out;
    }
    if (std::any_of(symbols->begin(), symbols->end(), [](const DynamicSymbol &s) { return !s.undefined; })) {
      out.findings.push_back({Severity::AtRisk, "linkage", "unreadable", object.path,
                              "changed while it was being audited; audit again", {}});
      return out;
    }
    nlohmann::ordered_json listed = nlohmann::ordered_json::array();
    for (const DynamicSymbol &symbol : *symbols)
      listed.push_back(with_version(symbol.name, symbol.version));
    out.listed = std::move(listed);
    HostMatch match;
    if (!object.facts.is_program()) {
      match = hosts.host_of({&object, &result.unresolved_imports});
      if (match.host) {
        out.findings.push_back(plugin_finding(object, *symbols, match));
        return out;
      }
    }
    nlohmann::ordered_json plain = nlohmann::ordered_json::array();
    std::vector<std::string> plain_names;
    for (const DynamicSymbol &symbol : *symbols) {
      if (std::optional<DualAbiTwin> twin = find_twin(object, symbol, result.closure.scope)) {
        out.findings.push_back(dual_abi_finding(context, object, symbol, *twin));
        continue;
      }
      // Made key by key: an initializer list copies each value into the
      // object, a cost paid again for every symbol reported.
      nlohmann::ordered_json entry = object_with_room(3);
      entry.emplace("name", symbol.name);
      entry.emplace("version", symbol.version);
      entry.emplace("demangled", elf::demangle(symbol.name));
      plain.push_back(std::move(entry));
      if (plain_names.size() < kSymbolsInReason)
        plain_names.push_back(elf::demangle(symbol.name));
    }
    if (plain.empty())
      return out;
    std::string reason = std::to_string(plain.size()) + " undefined symbol" + (plain.size() > 1 ? "s" : "") +
                         " that nothing it loads defines: " + join(plain_names, ", ") +
                         (plain.size() > plain_names.size() ? ", ..." : "");
    // Under --under, the host may be among the files not walked: the
    // plugin is at risk, not broken.
    bool hosts_unknown = !object.facts.is_program() && !context.walk().empty() && !match.refused;
    if (hosts_unknown)
      reason += " (a plugin may get them from the program that loads it; no host among the files audited)";
    else if (!object.facts.is_program())
      reason += no_host(match, *symbols);
    Finding f{hosts_unknown ? Severity::AtRisk : Severity::BrokenNow, "linkage", "undefined-symbols", object.path,
              reason, {context.owners().describe(object.path)}};
    f.details["symbols"] = std::move(plain);
    if (match.refused)
      f.details["refused_host"] = match.refused->path;
    out.findings.push_back(std::move(f));
    return out;
  }

  // A plugin: what it leaves undefined, its host defines.
  static Finding plugin_finding(const ElfEntry &object, const std::vector<DynamicSymbol> &symbols,
                                const HostMatch &match) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < symbols.size() && i < kSymbolsInReason; ++i)
      names.push_back(elf::demangle(symbols[i].name));
    std::string shown = names.size() < symbols.size() ? join(names, ", ") + ", ..." : join(names, ", ");
    std::string count = std::to_string(symbols.size()) + " symbol" + (symbols.size() > 1 ? "s" : "");
    std::string reason;
    std::vector<std::string> first;
    for (const ElfEntry *module : match.loaded_first)
      first.push_back(module->path);
    if (match.host->facts.type == 3 /*ET_DYN*/ && !match.host->facts.is_program())
      reason = "plugin of " + (match.loader ? match.loader->path : "a program that loads " + match.host->path) +
               ": the " + count + " it leaves undefined (" + shown + ") are defined by " + match.host->path;
    else
      reason = "plugin of " + match.host->path + ": the " + count + " it leaves undefined (" + shown +
               ") are defined there";
    if (!first.empty())
      reason += ", and by " + join(first, ", ") + ", which it loads before it";
    Finding f{Severity::Informational, "linkage", "plugin", object.path, reason, {}};
    f.details = {{"host", match.host->path},
                 {"loader", match.loader ? match.loader->path : ""},
                 {"symbols", symbols.size()},
                 {"loaded_first", first}};
    return f;
  }

  // Why no program or library under ROOT is a plugin's host.
  static std::string no_host(const HostMatch &match, const std::vector<DynamicSymbol> &symbols) {
    if (match.refused)
      return "; " + match.refused->path + " defines them, but " + match.refused_because;
    if (match.undefined_anywhere.empty())
      return "; no one program or library under ROOT defines them all";
    std::vector<std::string> names;
    for (std::size_t i = 0; i < match.undefined_anywhere.size() && i < kSymbolsInReason; ++i)
      names.push_back(elf::demangle(symbols[match.undefined_anywhere[i]].name));
    if (match.undefined_anywhere.size() > names.size())
      names.push_back("...");
    std::size_t n = match.undefined_anywhere.size();
    return "; no program or library under ROOT that could load it defines " +
           (n == symbols.size() ? std::string(n > 1 ? "any of them" : "it") : std::to_string(n) + " of them") +
           ": " + join(names, ", ");
  }

  std::optional<DualAbiTwin> find_twin(const ElfEntry &object, const DynamicSymbol &symbol,
                                       const std::vector<const ElfEntry *> &scope) {
    std::string neutral = dual_abi_neutral(symbol.name);
    if (neutral.empty())
      return std::nullopt;
    for (const ElfEntry *library : scope) {
      if (library == &object)
        continue;
      const std::vector<DynamicSymbol> *twins = twins_.twins(*library, neutral);
      if (!twins)
        continue;
      for (const DynamicSymbol &twin : *twins) {
        if (twin.name == symbol.name)
          continue; // the same name: a version mismatch, not the ABI
        DualAbiTwin out{twin.name, twin.version, library->path, shown_abi(symbol.name), shown_abi(twin.name)};
        if (out.importer_abi == StringAbi::Unknown)
          out.importer_abi = out.exporter_abi == StringAbi::New ? StringAbi::Old : StringAbi::New;
        if (out.exporter_abi == StringAbi::Unknown)
          out.exporter_abi = out.importer_abi == StringAbi::New ? StringAbi::Old : StringAbi::New;
        return out;
      }
    }
    return std::nullopt;
  }

  Finding dual_abi_finding(AuditContext &context, const ElfEntry &object, const DynamicSymbol &symbol,
                           const DualAbiTwin &twin) {
    std::string reason = "undefined symbol " + elf::demangle(symbol.name) + ": it was built with " +
                         string_abi_name(twin.importer_abi) + ", but " + twin.library + " exports only " +
                         elf::demangle(twin.name) + ", built with " + string_abi_name(twin.exporter_abi) +
                         "; the two differ only by the dual ABI";
    // Rebuild the side that disagrees with the rest of ROOT.
    bool rebuild_library = twin.exporter_abi != majority_;
    std::string target = rebuild_library
                             ? context.owners().describe(twin.library) + " with " + string_abi_name(twin.importer_abi)
                             : context.owners().describe(object.path) + " against the installed " + twin.library;
    Finding f{Severity::BrokenNow, "linkage", "dual-abi-mismatch", object.path, reason, {target}};
    f.details = {{"symbol", symbol.name},
                 {"version", symbol.version},
                 {"demangled", elf::demangle(symbol.name)},
                 {"exported_instead", twin.name},
                 {"exported_version", twin.version},
                 {"library", twin.library},
                 {"importer_abi", twin.importer_abi == StringAbi::New ? "new" : "old"},
                 {"exporter_abi", twin.exporter_abi == StringAbi::New ? "new" : "old"},
                 {"rebuild", rebuild_library ? "library" : "dependant"}};
    return f;
  }

  StringAbi majority_ = StringAbi::Unknown;
  TwinIndex twins_;
};

} // namespace

std::unique_ptr<AuditSection> make_linkage_section() { return std::make_unique<LinkageSection>(); }

} // namespace abitag::audit
