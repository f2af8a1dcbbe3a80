// SPDX-License-Identifier: MIT
// The perl analyzer: the version, archname, API version and handshake key
// of the perls under the paths (their tag), what each XS module was built
// for, and --check, which says whether an installed perl loads each XS
// module.
#include <cerrno>
#include <cstring>
#include <set>

#include <CLI/CLI.hpp>

#include "analyzers/perl/perl.h"
#include "analyzers/perl/report.h"
#include "fingerprint/discover.h"
#include "fingerprint/folders.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/paths.h"

namespace abitag::perl {
namespace {

bool wanted_head(std::string_view head) {
  return sniff_content(head) == ContentKind::Elf || looks_like_config_pm(head);
}

bool ends_with_so(std::string_view path) { return path.size() > 3 && path.substr(path.size() - 3) == ".so"; }

struct Read {
  std::optional<Perl> perl;
  std::optional<XsModule> module;
  std::string error;
};

struct Inputs {
  std::vector<Perl> perls;
  std::vector<XsModule> modules;
  std::size_t other = 0; // ELF files that are no XS module, Config_heavy.pl
};

// An ELF shared object is an XS module when it defines a boot_ function or
// lies where DynaLoader looks for one (auto/Foo/Bar/Bar.so); perl's own
// program and libperl are not.
void read_elf(const InputFile &input, const std::string &root, Read &out) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(input.open_path);
  if (!bytes) {
    out.error = to_message(bytes.takeError());
    return;
  }
  llvm::Expected<PerlElf> elf = read_perl_elf((*bytes)->getMemBufferRef(), input.path);
  if (!elf) {
    out.error = to_message(elf.takeError());
    return;
  }
  std::string host = real_path(input.open_path);
  std::string inside = path_inside_root(root, host);
  std::string package = module_package(inside);
  if (elf->runtime || !elf->shared_object || (elf->boots.empty() && package.empty()))
    return;
  out.module = XsModule{input.path, inside, host, package, std::move(*elf)};
}

void read_one(const InputFile &input, const std::string &root, Read &out) {
  if (sniff_content(input.head) == ContentKind::Elf)
    return read_elf(input, root, out);
  if (input.path.substr(input.path.rfind('/') + 1) != "Config.pm")
    return; // Config_heavy.pl, read with its Config.pm
  llvm::Expected<Perl> perl = read_perl(root, real_path(input.open_path));
  if (perl)
    out.perl = std::move(*perl);
  else
    out.error = to_message(perl.takeError());
}

Inputs read_inputs(const Discovery &found, const std::string &root, Analysis &out) {
  std::vector<Read> reads(found.files.size());
  for_each_file_largest_first(found.files, [&](std::size_t i) { read_one(found.files[i], root, reads[i]); });
  Inputs in;
  for (std::size_t i = 0; i < reads.size(); ++i) {
    Read &read = reads[i];
    if (!read.error.empty())
      out.errors.push_back({found.files[i].path, read.error});
    else if (read.perl)
      in.perls.push_back(std::move(*read.perl));
    else if (read.module)
      in.modules.push_back(std::move(*read.module));
    else
      ++in.other;
  }
  return in;
}

// The tag: the perls' (version, archname, API version, handshake bits);
// without any, what the XS modules were built for ("xs v5.36.0").
std::string tag_value(const Inputs &in) {
  std::set<std::string> values;
  for (const Perl &perl : in.perls)
    values.insert(perl.tag());
  if (values.empty())
    for (const XsModule &module : in.modules)
      values.insert("xs " + (module.built_for().empty() ? std::string("unknown") : module.built_for()));
  std::string out;
  for (const std::string &value : values)
    out += (out.empty() ? "" : ",") + value;
  return out.empty() ? "none" : out;
}

class PerlAnalyzer final : public Analyzer {
public:
  std::string_view name() const override { return "perl"; }
  // Version, archname, API version and the handshake key's interpreter
  // size and MULTIPLICITY bit: all from the sources and Configure's
  // options, so a rebuild of the same ones keeps them.
  RebuildChange rebuild_change() const override { return RebuildChange::WithInputs; }
  std::string_view description() const override {
    return "Perl: the version, archname and API version of perls, what XS modules were built for, and --check "
           "whether an installed perl loads each";
  }

  void add_options(CLI::App &command) override {
    auto *check = command.add_flag(
        "--check", check_,
        "say, for each XS module, why no perl installed in --root DIR loads it (its folder is on no perl's "
        "@INC, it imports a symbol the perl does not export, it lacks boot_PACKAGE, its handshake key or API "
        "version is not the perl's); exit 1 when one is found");
    command.add_option("--inc", extra_inc_,
                       "a folder every perl searches too, as `perl -I DIR` adds it (repeatable)")
        ->type_name("DIR")
        ->needs(check);
  }

  // Config.pm (a perl package's tag) and XS modules below an auto/ folder
  // of a perl folder (a package of modules: what they were built for).
  bool adopts(std::string_view path, std::string_view head) const override {
    std::string_view name = path.substr(path.rfind('/') + 1);
    if (name == "Config.pm")
      return looks_like_config_pm(head);
    return head.substr(0, 4) == "\x7f" "ELF" && ends_with_so(path) && path.find("/auto/") != std::string_view::npos &&
           path.find("perl") != std::string_view::npos;
  }
  bool found_nothing(const Analysis &analysis) const override { return analysis.value == "none"; }

  Analysis analyze(const AnalysisInputs &inputs) override {
    Analysis out;
    RootedDiscovery start = discover_under_root(inputs.paths, inputs.root, wanted_head, "not an ELF file or a perl Config.pm");
    out.errors = start.found.errors;
    if (start.root.empty())
      return out;
    const std::string &root = start.root;
    const Discovery &found = start.found;
    Inputs in = read_inputs(found, root, out);
    if (!out.errors.empty())
      return out;
    return check_ ? check(in, root, inputs, out) : describe(in, found, inputs, out);
  }

private:
  static Analysis &describe(const Inputs &in, const Discovery &found, const AnalysisInputs &inputs, Analysis &out) {
    out.value = tag_value(in);
    nlohmann::ordered_json &doc = out.document;
    doc["analyzer"] = "perl";
    doc["value"] = out.value;
    doc["perls"] = nlohmann::ordered_json::array();
    for (const Perl &perl : in.perls)
      doc["perls"].push_back(perl_json(perl));
    doc["modules"] = nlohmann::ordered_json::array();
    for (const XsModule &module : in.modules)
      doc["modules"].push_back(module_json(module));
    doc["other_files_read"] = in.other;
    add_discovery_json(doc, found.links, found.other_files);
    if (!inputs.explain)
      return out;
    for (const Perl &perl : in.perls)
      out.explanation.push_back(explain_perl(perl));
    for (const XsModule &module : in.modules)
      out.explanation.push_back(explain_module(module));
    for (const SkippedLink &link : found.links)
      out.explanation.push_back(link.path + ": skipped: " + link.what);
    return out;
  }

  // The perls installed in ROOT and those among the inputs, once each.
  static std::vector<Perl> perls(const Inputs &in, const std::string &root, Analysis &out) {
    std::vector<Perl> all = installed_perls(root, out.errors);
    for (const Perl &named : in.perls) {
      bool known = false;
      for (const Perl &perl : all)
        known |= perl.config.archlibexp == named.config.archlibexp;
      if (!known)
        all.push_back(named);
    }
    return all;
  }

  Analysis &check(const Inputs &in, const std::string &root, const AnalysisInputs &inputs, Analysis &out) const {
    std::vector<Perl> all = perls(in, root, out);
    std::vector<std::string> extra;
    for (const std::string &folder : extra_inc_) {
      std::string canonical = real_path(folder);
      if (canonical.empty())
        out.errors.push_back({folder, std::string("--inc: ") + std::strerror(errno)});
      extra.push_back(canonical);
    }
    if (!out.errors.empty())
      return out;
    bool found = false;
    nlohmann::ordered_json listed = nlohmann::ordered_json::array();
    for (const XsModule &module : in.modules) {
      LoadVerdict verdict = check_module(module.elf, module.host, module.inside, all, extra);
      nlohmann::ordered_json shown = module_json(module);
      shown["loaders"] = nlohmann::ordered_json::array();
      for (const Perl *perl : verdict.loaders)
        shown["loaders"].push_back(perl->config_pm);
      shown["problem"] = verdict.problem;
      listed.push_back(std::move(shown));
      if (!verdict.problem.empty()) {
        found = true;
        out.value += (out.value.empty() ? "" : "\n") + module.path + ": " + verdict.problem;
      } else if (inputs.explain) {
        out.explanation.push_back(explain_module(module) + "; loaded by perl " +
                                  verdict.loaders.front()->config.version + " (" + verdict.loaders.front()->config_pm +
                                  ")");
      }
    }
    if (inputs.explain)
      for (const Perl &perl : all)
        out.explanation.push_back(explain_perl(perl));
    out.exit_code = found ? kExitFindings : kExitOk;
    out.document["analyzer"] = "perl";
    out.document["check"] = true;
    out.document["root"] = root;
    out.document["value"] = out.value;
    nlohmann::ordered_json shown = nlohmann::ordered_json::array();
    for (const Perl &perl : all)
      shown.push_back(perl_json(perl));
    out.document["perls"] = std::move(shown);
    out.document["modules"] = std::move(listed);
    return out;
  }

  bool check_ = false;
  std::vector<std::string> extra_inc_;
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<PerlAnalyzer>(); });
}

} // namespace abitag::perl
