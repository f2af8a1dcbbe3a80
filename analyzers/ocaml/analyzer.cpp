// SPDX-License-Identifier: MIT
// The ocaml analyzer: the interface digests of the compiled units under the
// paths (their tag), what each unit was compiled against, and --check, which
// says which units make inconsistent assumptions with the units installed
// in --root and which findlib packages require one that is not installed.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <set>

#include <CLI/CLI.hpp>

#include "analyzers/ocaml/ocaml.h"
#include "analyzers/ocaml/report.h"
#include "fingerprint/discover.h"
#include "fingerprint/folders.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/paths.h"
#include "packages/owner_index.h"

namespace abitag::ocaml {
namespace {

std::string base_name(const std::string &path) { return path.substr(path.rfind('/') + 1); }

// A META file is text: its head has no NUL byte. Which text files are META
// files their names tell (read_one).
bool looks_like_text(std::string_view head) { return !head.empty() && head.find('\0') == std::string_view::npos; }

bool wanted_head(std::string_view head) {
  return head.substr(0, 8) == "Caml1999" || sniff_content(head) == ContentKind::Elf || looks_like_text(head);
}

// What one input file turned out to be.
struct Read {
  std::optional<OcamlFile> file;
  std::vector<MetaPackage> meta;
  std::string error;
};

struct Inputs {
  std::vector<OcamlFile> files;
  std::vector<MetaPackage> meta;
  std::size_t other = 0;
};

// A compiled file by its magic number, a plugin or a META file by name; any other file named on the command line is an error,
// one met in a walk is not read.
void read_one(const InputFile &input, bool named, Read &out) {
  bool elf = sniff_content(input.head) == ContentKind::Elf;
  // Of the other Caml1999 files (.cmt typed trees, bytecode executables,
  // ASTs) and those too short for a magic number only a named one is
  // read, to say why it is refused.
  bool unit = looks_like_unit(input.head) || (named && input.head.substr(0, 8) == "Caml1999");
  bool meta = !elf && !unit && is_meta_name(base_name(input.path));
  if (!unit && !meta && !(elf && is_plugin_name(input.path))) {
    if (named)
      out.error = "not a compiled OCaml file, .cmxs plugin or META file";
    return;
  }
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(input.open_path, Reading::InParts);
  if (!bytes) {
    out.error = to_message(bytes.takeError());
    return;
  }
  std::string_view text((*bytes)->getBufferStart(), (*bytes)->getBufferSize());
  if (meta) {
    out.meta = parse_meta(text, meta_package_name(input.path), input.path);
    return;
  }
  llvm::Expected<OcamlFile> file = read_ocaml_file(text, input.path);
  if (file)
    out.file = std::move(*file);
  else
    out.error = to_message(file.takeError());
}

Inputs read_inputs(const Discovery &found, const std::vector<std::string> &named, Analysis &out) {
  std::vector<Read> reads(found.files.size());
  std::set<std::string> named_set(named.begin(), named.end());
  for_each_file_largest_first(found.files,
                              [&](std::size_t i) { read_one(found.files[i], named_set.count(found.files[i].path) > 0, reads[i]); });
  Inputs in;
  in.other = found.other_files;
  for (std::size_t i = 0; i < reads.size(); ++i) {
    Read &read = reads[i];
    if (!read.error.empty())
      out.errors.push_back({found.files[i].path, read.error});
    else if (read.file)
      in.files.push_back(std::move(*read.file));
    else if (!read.meta.empty())
      in.meta.insert(in.meta.end(), read.meta.begin(), read.meta.end());
    else
      ++in.other;
  }
  return in;
}

// The packages owning files of the root, named only for files with
// findings: reading the package databases costs more than a clean check.
class Owners {
public:
  explicit Owners(std::string root) : root_(std::move(root)) {}
  // The short names of the packages owning PATH (a host path), joined by ", "; empty when none does.
  std::string of(const std::string &path) {
    if (!packages_)
      packages_ = std::make_unique<packages::InstalledPackages>(root_);
    std::string names;
    for (const packages::Package *owner : packages_->index().owners(path_inside_root(root_, real_path(path))))
      names += (names.empty() ? "" : ", ") + owner->id.short_name();
    return names;
  }

private:
  std::string root_;
  std::unique_ptr<packages::InstalledPackages> packages_;
};

// The format version of a magic number ("030" of "Caml1999I030").
std::string format_version(const std::string &magic) { return magic.size() >= 12 ? magic.substr(9, 3) : magic; }

class OcamlAnalyzer final : public Analyzer {
public:
  std::string_view name() const override { return "ocaml"; }
  // A digest of the units' interface digests, each the MD5 of a .cmi: the
  // same sources compiled by the same compiler give the same bytes (the
  // signature records source file names as given to the compiler, which a
  // build passes alike each time), a changed interface or compiler changes it.
  RebuildChange rebuild_change() const override { return RebuildChange::WithInputs; }
  std::string_view description() const override {
    return "OCaml: the interface digests of compiled units (.cmi, .cmo, .cma, .cmx, .cmxa, .cmxs) and the digests "
           "they were compiled against";
  }

  void add_options(CLI::App &command) override {
    command.add_flag("--check", check_,
                     "say which units were compiled against an interface (or, for native code, an implementation) "
                     "other than the one installed in --root DIR's OCaml library folders, the compiler's "
                     "\"inconsistent assumptions over interface X\", and which findlib META files require a "
                     "package that is not installed; exit 1 when one is found");
  }

  // Compiled units by their magic number; plugins (.cmxs) by name.
  bool adopts(std::string_view path, std::string_view head) const override {
    return looks_like_unit(head) ||
           (head.substr(0, 4) == "\x7f" "ELF" && is_plugin_name(std::string(path)));
  }
  bool found_nothing(const Analysis &analysis) const override { return analysis.value == "none"; }

  Analysis analyze(const AnalysisInputs &inputs) override {
    Analysis out;
    RootedDiscovery start = discover_under_root(inputs.paths, inputs.root, wanted_head, "not a compiled OCaml file, .cmxs plugin or META file");
    out.errors = start.found.errors;
    if (start.root.empty())
      return out;
    const std::string &root = start.root;
    const Discovery &found = start.found;
    Inputs in = read_inputs(found, inputs.paths, out);
    if (!out.errors.empty())
      return out;
    return check_ ? check(in, root, inputs, out) : describe(in, found, inputs, out);
  }

private:
  static Analysis &describe(const Inputs &in, const Discovery &found, const AnalysisInputs &inputs, Analysis &out) {
    out.value = interfaces_value(in.files);
    nlohmann::ordered_json &doc = out.document;
    doc["analyzer"] = "ocaml";
    doc["value"] = out.value;
    doc["files"] = nlohmann::ordered_json::array();
    if (inputs.json) // every digest of every unit: most of the run's work when made for nothing
      for (const OcamlFile &file : in.files)
        doc["files"].push_back(file_json(file));
    doc["findlib"] = nlohmann::ordered_json::array();
    for (const MetaPackage &package : in.meta)
      doc["findlib"].push_back(meta_json(package));
    add_discovery_json(doc, found.links, in.other);
    if (!inputs.explain)
      return out;
    for (const OcamlFile &file : in.files)
      out.explanation.push_back(explain_file(file));
    for (const MetaPackage &package : in.meta)
      out.explanation.push_back(explain_meta(package));
    for (const SkippedLink &link : found.links)
      out.explanation.push_back(link.path + ": skipped: " + link.what);
    return out;
  }

  static void add_finding(Analysis &out, const std::string &line) {
    out.value += (out.value.empty() ? "" : "\n") + line;
  }

  // The --json objects (made only for --json: every digest of every unit)
  // and the findings of FILE.
  static void check_file_against(const OcamlFile &file, const Installed &installed, const AnalysisInputs &inputs,
                                 Owners &owners, Analysis &out, nlohmann::ordered_json &listed) {
    std::string problem;
    if (!installed.magic.empty() && format_version(file.magic) != format_version(installed.magic))
      problem = "compiled by another version of OCaml (" + file.magic + "; the installed compiler's stdlib.cmi is " +
                installed.magic + ")";
    std::vector<Inconsistency> found = problem.empty() ? check_file(file, installed) : std::vector<Inconsistency>();
    std::string package = problem.empty() && found.empty() ? std::string() : owners.of(file.path);
    std::string rebuild = package.empty() ? "" : "; rebuild " + package;
    if (!problem.empty())
      add_finding(out, file.path + ": " + problem + rebuild);
    for (const Inconsistency &inconsistency : found)
      add_finding(out, file.path + ": " + inconsistency.message() + rebuild);
    if (problem.empty() && found.empty() && inputs.explain)
      out.explanation.push_back(file.path + ": every import agrees with the installed units");
    if (!inputs.json)
      return;
    nlohmann::ordered_json shown = file_json(file);
    shown["package"] = package.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(package);
    shown["problem"] = problem;
    shown["inconsistencies"] = nlohmann::ordered_json::array();
    for (const Inconsistency &inconsistency : found)
      shown["inconsistencies"].push_back(inconsistency_json(inconsistency));
    listed.push_back(std::move(shown));
  }

  static nlohmann::ordered_json check_meta(const Inputs &in, const std::string &root, const AnalysisInputs &inputs,
                                           Analysis &out) {
    std::map<std::string, std::string> known; // package name -> its META file
    for (const MetaPackage &package : installed_meta(root, out.errors))
      known.emplace(package.name, package.path);
    for (const MetaPackage &package : in.meta)
      known.emplace(package.name, package.path);
    nlohmann::ordered_json listed = nlohmann::ordered_json::array();
    for (const MetaPackage &package : in.meta) {
      std::vector<std::string> missing = missing_requires(package, known);
      nlohmann::ordered_json shown = meta_json(package);
      shown["missing"] = missing;
      listed.push_back(std::move(shown));
      for (const std::string &name : missing)
        add_finding(out, package.path + ": findlib package " + package.name + " requires " + name +
                             ", which is not installed");
      if (missing.empty() && inputs.explain)
        out.explanation.push_back(package.path + ": every package " + package.name + " requires is installed");
    }
    return listed;
  }

  static Analysis &check(const Inputs &in, const std::string &root, const AnalysisInputs &inputs, Analysis &out) {
    Installed installed = installed_units(root, out.errors);
    if (!out.errors.empty())
      return out;
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    Owners owners(root);
    for (const OcamlFile &file : in.files)
      check_file_against(file, installed, inputs, owners, out, files);
    nlohmann::ordered_json meta = check_meta(in, root, inputs, out);
    if (!out.errors.empty())
      return out;
    out.exit_code = out.value.empty() ? kExitOk : kExitFindings;
    out.document["analyzer"] = "ocaml";
    out.document["check"] = true;
    out.document["root"] = root;
    out.document["value"] = out.value;
    out.document["installed_interfaces"] = installed.interfaces.size();
    out.document["installed_magic"] = installed.magic;
    out.document["files"] = std::move(files);
    out.document["findlib"] = std::move(meta);
    if (inputs.explain)
      for (const std::string &folder : installed.folders)
        out.explanation.push_back("installed units read from " + folder);
    return out;
  }

  bool check_ = false;
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<OcamlAnalyzer>(); });
}

} // namespace abitag::ocaml
