// SPDX-License-Identifier: MIT
// The ocaml section: compiled OCaml units that no longer fit the units
// installed beside them, what `abitag ocaml --check` says of each file,
// for the whole of ROOT's OCaml library folders (/usr/lib/ocaml,
// /usr/local/lib/ocaml).
//  - A unit compiled against an interface (or, native code, an
//    implementation) whose installed digest is now another: every build
//    and every Dynlink load using both fails with "inconsistent assumptions
//    over interface X". Broken now; the package to rebuild is the unit's.
//    One finding per package and interface.
//  - A unit compiled by another version of OCaml than the one whose
//    stdlib.cmi is installed: the compiler refuses it. Broken now.
//  - A findlib package whose META requires a package not installed:
//    ocamlfind refuses to use it. At risk (the package may be optional).
// The section walks only the library folders, not the audit's walk.
#include <map>
#include <tuple>

#include "analyzers/ocaml/ocaml.h"
#include "audit/section.h"
#include "fingerprint/paths.h"

namespace abitag::audit {
namespace {

struct Counts {
  std::size_t files = 0, units = 0, inconsistent_files = 0, other_version = 0, meta = 0, missing_requires = 0;
};

// The findings of one package (or file outside any) and one import name.
struct Group {
  std::vector<std::string> files;
  ocaml::Inconsistency first;
};

std::string host_path(const std::string &root, const std::string &inside) {
  return root == "/" ? inside : root + inside;
}

bool walked(AuditContext &context, const std::string &inside) {
  if (context.walk().empty())
    return true;
  std::string host = host_path(context.root(), inside);
  for (const std::string &folder : context.walk())
    if (is_under(host, folder))
      return true;
  return false;
}

class OcamlSection final : public AuditSection {
public:
  std::string_view name() const override { return "ocaml"; }
  std::string_view description() const override {
    return "compiled OCaml units that make inconsistent assumptions over an installed interface or implementation "
           "(the packages to rebuild), and findlib packages requiring one that is not installed";
  }

  SectionReport run(AuditContext &context) override {
    SectionReport out;
    std::vector<InputError> errors;
    std::vector<ocaml::OcamlFile> files = ocaml::library_files(context.root(), /*interfaces_only=*/false, errors);
    ocaml::Installed installed;
    for (const ocaml::OcamlFile &file : files)
      ocaml::add_installed(file, installed);
    std::vector<ocaml::MetaPackage> meta = ocaml::installed_meta(context.root(), errors);
    for (const InputError &error : errors)
      out.findings.push_back({Severity::Informational, "ocaml", "unreadable-file",
                              path_inside_root(context.root(), error.path), error.reason, {}, {}});
    Counts counts;
    std::map<std::tuple<std::string, std::string, bool>, Group> groups;
    for (const ocaml::OcamlFile &file : files) {
      if (!walked(context, file.path))
        continue;
      ++counts.files;
      counts.units += file.units.size();
      if (other_version(context, file, installed, out)) {
        ++counts.other_version;
        continue;
      }
      std::vector<ocaml::Inconsistency> found = ocaml::check_file(file, installed);
      counts.inconsistent_files += !found.empty();
      std::vector<const packages::Package *> owners = context.owners().index().owners(file.path);
      std::string package = owners.empty() ? parent_dir(file.path) : owners.front()->id.short_name();
      for (const ocaml::Inconsistency &inconsistency : found) {
        Group &group = groups[{package, inconsistency.name, inconsistency.implementation}];
        if (group.files.empty())
          group.first = inconsistency;
        if (group.files.empty() || group.files.back() != file.path)
          group.files.push_back(file.path);
      }
    }
    for (auto &[key, group] : groups)
      report_inconsistency(context, group, out);
    report_requires(context, meta, counts, out);
    summarize(counts, out);
    return out;
  }

private:
  static bool other_version(AuditContext &context, const ocaml::OcamlFile &file, const ocaml::Installed &installed,
                            SectionReport &out) {
    if (installed.magic.size() < 12 || file.magic.size() < 12 ||
        file.magic.compare(9, 3, installed.magic, 9, 3) == 0)
      return false;
    out.findings.push_back({Severity::BrokenNow, "ocaml", "other-compiler-version", file.path,
                            "compiled by another version of OCaml (" + file.magic +
                                "; the installed compiler's stdlib.cmi is " + installed.magic + "): it refuses it",
                            {context.owners().describe(file.path)},
                            {{"magic", file.magic}, {"installed_magic", installed.magic}}});
    return true;
  }

  static void report_inconsistency(AuditContext &context, const Group &group, SectionReport &out) {
    const ocaml::Inconsistency &i = group.first;
    std::string over = std::string(i.implementation ? "implementation " : "interface ") + i.name;
    std::string reason = std::to_string(group.files.size()) + " files make inconsistent assumptions over " + over +
                         ": compiled against " + i.imported_crc + ", the installed " +
                         context.owners().describe(i.installed_path) + " is " + i.installed_crc +
                         (i.implementation ? "; native code only: linking or loading a plugin fails"
                                           : "; compiling or linking with both fails");
    out.findings.push_back({Severity::BrokenNow, "ocaml",
                            i.implementation ? "inconsistent-implementation" : "inconsistent-interface",
                            group.files.front(), reason, {context.owners().describe(group.files.front())},
                            {{"over", i.implementation ? "implementation" : "interface"},
                             {"name", i.name},
                             {"imported", i.imported_crc},
                             {"installed", i.installed_crc},
                             {"installed_path", i.installed_path},
                             {"files", group.files}}});
  }

  static void report_requires(AuditContext &context, const std::vector<ocaml::MetaPackage> &meta, Counts &counts,
                              SectionReport &out) {
    std::map<std::string, std::string> known;
    for (const ocaml::MetaPackage &package : meta)
      known.emplace(package.name, package.path);
    for (const ocaml::MetaPackage &package : meta) {
      if (!walked(context, package.path))
        continue;
      ++counts.meta;
      std::vector<std::string> missing = ocaml::missing_requires(package, known);
      if (missing.empty())
        continue;
      ++counts.missing_requires;
      std::string names;
      for (const std::string &name : missing)
        names += (names.empty() ? "" : ", ") + name;
      out.findings.push_back({Severity::AtRisk, "ocaml", "missing-requirement", package.path,
                              "findlib package " + package.name + " requires " + names +
                                  ", not installed: ocamlfind refuses to compile or link with it",
                              {context.owners().describe(package.path)},
                              {{"package", package.name}, {"missing", missing}}});
    }
  }

  static void summarize(const Counts &c, SectionReport &out) {
    out.summary_lines.push_back(std::to_string(c.files) + " compiled OCaml files (" + std::to_string(c.units) +
                                " units), " + std::to_string(c.inconsistent_files) +
                                " with inconsistent assumptions, " + std::to_string(c.other_version) +
                                " of another compiler version; " + std::to_string(c.meta) + " findlib packages, " +
                                std::to_string(c.missing_requires) + " requiring one not installed");
    out.summary = {{"files", c.files},
                   {"units", c.units},
                   {"inconsistent_files", c.inconsistent_files},
                   {"other_compiler_version", c.other_version},
                   {"findlib_packages", c.meta},
                   {"missing_requirements", c.missing_requires}};
  }
};

} // namespace

std::unique_ptr<AuditSection> make_ocaml_section() { return std::make_unique<OcamlSection>(); }

} // namespace abitag::audit
