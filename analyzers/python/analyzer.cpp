// SPDX-License-Identifier: MIT
// The python analyzer: the SOABI of the interpreters under the paths (their
// tag), the ABI each extension module claims, the magic of bytecode files,
// and --check, which says whether an installed interpreter imports each
// extension module.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>

#include <CLI/CLI.hpp>

#include "analyzers/python/python.h"
#include "analyzers/python/report.h"
#include "fingerprint/discover.h"
#include "fingerprint/folders.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/paths.h"

namespace abitag::python {
namespace {

std::string base_name(const std::string &path) { return path.substr(path.rfind('/') + 1); }

bool wanted_head(std::string_view head) {
  return sniff_content(head) == ContentKind::Elf || looks_like_sysconfigdata(head) || looks_like_pyc(head);
}

// What one input file turned out to be.
struct Read {
  std::optional<Interpreter> interpreter;
  std::optional<PythonElf> runtime;
  std::optional<Extension> extension;
  std::optional<Bytecode> bytecode;
  std::string error;
};

struct Inputs {
  std::vector<Interpreter> interpreters;
  std::vector<PythonElf> runtimes;
  std::vector<Extension> extensions;
  std::vector<Bytecode> bytecode;
  std::size_t other_elf = 0;
};

// An ELF file is an extension module when its name carries a suffix tag or
// it defines a PyInit_ function; a runtime when it exports Py_Initialize.
void read_elf(const InputFile &input, const std::string &root, Read &out) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> bytes = map_file(input.open_path);
  if (!bytes) {
    out.error = to_message(bytes.takeError());
    return;
  }
  llvm::Expected<PythonElf> elf = read_python_elf(**bytes, input.path);
  if (!elf) {
    out.error = to_message(elf.takeError());
    return;
  }
  std::optional<SuffixClaim> claim = suffix_claim(base_name(input.path));
  if (elf->runtime) {
    out.runtime = std::move(*elf);
  } else if (claim && elf->shared_object && (claim->kind != SuffixClaim::Untagged || !elf->init_exports.empty())) {
    std::string inside = path_inside_root(root, real_path(input.open_path));
    out.extension = Extension{input.path, inside, std::move(*elf), std::move(*claim)};
  }
}

void read_one(const InputFile &input, const std::string &root, Read &out) {
  if (sniff_content(input.head) == ContentKind::Elf)
    return read_elf(input, root, out);
  if (looks_like_sysconfigdata(input.head)) {
    llvm::Expected<Interpreter> interpreter = read_interpreter(root, real_path(input.open_path));
    if (interpreter)
      out.interpreter = std::move(*interpreter);
    else
      out.error = to_message(interpreter.takeError());
    return;
  }
  // The walk's head holds the first 64 bytes: all of a .pyc header.
  llvm::Expected<PycHeader> header = read_pyc_header(input.head);
  if (header)
    out.bytecode = Bytecode{input.path, *header};
  else
    out.error = to_message(header.takeError());
}

Inputs read_inputs(const Discovery &found, const std::string &root, Analysis &out) {
  std::vector<Read> reads(found.files.size());
  for_each_file_largest_first(found.files, [&](std::size_t i) { read_one(found.files[i], root, reads[i]); });
  Inputs in;
  for (std::size_t i = 0; i < reads.size(); ++i) {
    Read &read = reads[i];
    if (!read.error.empty())
      out.errors.push_back({found.files[i].path, read.error});
    else if (read.interpreter)
      in.interpreters.push_back(std::move(*read.interpreter));
    else if (read.runtime)
      in.runtimes.push_back(std::move(*read.runtime));
    else if (read.extension)
      in.extensions.push_back(std::move(*read.extension));
    else if (read.bytecode)
      in.bytecode.push_back(std::move(*read.bytecode));
    else
      ++in.other_elf;
  }
  return in;
}

// The tag: the SOABIs of the interpreters and runtimes; without any, the
// ABIs the extension modules claim (what a package of extensions was built
// for); without those, the bytecode's magic numbers.
std::string tag_value(const Inputs &in) {
  std::set<std::string> values;
  for (const Interpreter &interpreter : in.interpreters)
    values.insert(interpreter.tag());
  for (const PythonElf &runtime : in.runtimes)
    if (!runtime_soabi(runtime).empty())
      values.insert(runtime_soabi(runtime));
  if (values.empty())
    for (const Extension &extension : in.extensions)
      values.insert(extension.claim.text());
  if (values.empty())
    for (const Bytecode &bytecode : in.bytecode)
      values.insert("magic-" + std::to_string(bytecode.header.magic));
  std::string out;
  for (const std::string &value : values)
    out += (out.empty() ? "" : ",") + value;
  return out.empty() ? "none" : out;
}

class PythonAnalyzer final : public Analyzer {
public:
  std::string_view name() const override { return "python"; }
  // SOABI (cpython-311-x86_64-linux-gnu), from the interpreter's version and
  // configure options: a rebuild of the same sources keeps it.
  RebuildChange rebuild_change() const override { return RebuildChange::WithInputs; }
  std::string_view description() const override {
    return "CPython: the SOABI of interpreters, the ABI extension modules claim, bytecode magic numbers";
  }

  void add_options(CLI::App &command) override {
    command.add_flag("--check", check_,
                     "say, for each extension module, why no interpreter installed in --root DIR imports it "
                     "(its versioned folder belongs to no installed Python, no interpreter accepts its suffix, "
                     "it lacks PyInit_NAME, or it imports a Py* symbol the interpreter does not export); "
                     "exit 1 when one is found");
  }

  // Interpreters, libpython and extension modules are ELF files in a
  // python folder or named with a Python suffix.
  bool adopts(std::string_view path, std::string_view head) const override {
    std::string name(path.substr(path.rfind('/') + 1));
    bool python_name = suffix_claim(name).has_value() && std::string(path).find("/python") != std::string::npos;
    bool runtime_name = name.compare(0, 6, "python") == 0 || name.compare(0, 9, "libpython") == 0;
    return head.substr(0, 4) == "\x7f" "ELF" && (python_name || runtime_name);
  }
  bool found_nothing(const Analysis &analysis) const override { return analysis.value == "none"; }

  Analysis analyze(const AnalysisInputs &inputs) override {
    Analysis out;
    RootedDiscovery start = discover_under_root(inputs.paths, inputs.root, wanted_head, "not an ELF file, .pyc file or sysconfigdata file");
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
    doc["analyzer"] = "python";
    doc["value"] = out.value;
    doc["interpreters"] = nlohmann::ordered_json::array();
    for (const Interpreter &interpreter : in.interpreters)
      doc["interpreters"].push_back(interpreter_json(interpreter));
    doc["runtimes"] = nlohmann::ordered_json::array();
    for (const PythonElf &runtime : in.runtimes)
      doc["runtimes"].push_back(runtime_json(runtime));
    doc["extensions"] = nlohmann::ordered_json::array();
    for (const Extension &extension : in.extensions)
      doc["extensions"].push_back(extension_json(extension));
    doc["bytecode"] = nlohmann::ordered_json::array();
    for (const Bytecode &bytecode : in.bytecode)
      doc["bytecode"].push_back(bytecode_json(bytecode));
    doc["other_elf_files"] = in.other_elf;
    add_discovery_json(doc, found.links, found.other_files);
    if (!inputs.explain)
      return out;
    for (const Interpreter &interpreter : in.interpreters)
      out.explanation.push_back(explain_interpreter(interpreter));
    for (const PythonElf &runtime : in.runtimes)
      out.explanation.push_back(explain_runtime(runtime));
    for (const Extension &extension : in.extensions)
      out.explanation.push_back(explain_extension(extension));
    for (const Bytecode &bytecode : in.bytecode)
      out.explanation.push_back(explain_bytecode(bytecode));
    for (const SkippedLink &link : found.links)
      out.explanation.push_back(link.path + ": skipped: " + link.what);
    return out;
  }

  // The interpreters installed in ROOT and those among the inputs, once each.
  static std::vector<Interpreter> interpreters(const Inputs &in, const std::string &root, Analysis &out) {
    std::vector<Interpreter> all = installed_interpreters(root, out.errors);
    for (const Interpreter &named : in.interpreters) {
      bool known = false;
      for (const Interpreter &interpreter : all)
        known |= interpreter.sysconfigdata == named.sysconfigdata;
      if (!known)
        all.push_back(named);
    }
    return all;
  }

  static Analysis &check(const Inputs &in, const std::string &root, const AnalysisInputs &inputs, Analysis &out) {
    std::vector<Interpreter> all = interpreters(in, root, out);
    if (!out.errors.empty())
      return out;
    bool found = false;
    nlohmann::ordered_json listed = nlohmann::ordered_json::array();
    for (const Extension &extension : in.extensions) {
      ImportVerdict verdict = check_extension(extension.elf, extension.inside, all);
      nlohmann::ordered_json shown = extension_json(extension);
      shown["importers"] = nlohmann::ordered_json::array();
      for (const Interpreter *interpreter : verdict.importers)
        shown["importers"].push_back(interpreter->stdlib);
      shown["problem"] = verdict.problem;
      listed.push_back(std::move(shown));
      if (!verdict.problem.empty()) {
        found = true;
        out.value += (out.value.empty() ? "" : "\n") + extension.path + ": " + verdict.problem;
      } else if (inputs.explain) {
        out.explanation.push_back(extension.path + ": imported by " + verdict.importers.front()->stdlib + " (" +
                                  verdict.importers.front()->tag() + ")");
      }
    }
    if (inputs.explain)
      for (const Interpreter &interpreter : all)
        out.explanation.push_back(explain_interpreter(interpreter));
    out.exit_code = found ? kExitFindings : kExitOk;
    out.document["analyzer"] = "python";
    out.document["check"] = true;
    out.document["root"] = root;
    out.document["value"] = out.value;
    nlohmann::ordered_json shown = nlohmann::ordered_json::array();
    for (const Interpreter &interpreter : all)
      shown.push_back(interpreter_json(interpreter));
    out.document["interpreters"] = std::move(shown);
    out.document["extensions"] = std::move(listed);
    return out;
  }

  bool check_ = false;
};

} // namespace

void register_analyzer(Registry &registry) {
  registry.add([] { return std::make_unique<PythonAnalyzer>(); });
}

} // namespace abitag::python
