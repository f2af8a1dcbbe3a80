// SPDX-License-Identifier: MIT
#include "analyzers/kmod/report.h"

#include <cinttypes>
#include <cstdio>

namespace abitag::kmod {
namespace {

nlohmann::ordered_json optional_json(const std::optional<std::string> &text) {
  return text ? nlohmann::ordered_json(*text) : nlohmann::ordered_json();
}

nlohmann::ordered_json versions_json(const std::vector<ImportedVersion> &versions) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const ImportedVersion &version : versions)
    out.push_back({{"name", version.name}, {"crc", crc_text(version.crc)}});
  return out;
}

nlohmann::ordered_json exports_json(const std::vector<ExportedSymbol> &exports) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const ExportedSymbol &symbol : exports)
    out.push_back({{"name", symbol.name},
                   {"crc", symbol.crc ? nlohmann::ordered_json(crc_text(*symbol.crc)) : nlohmann::ordered_json()},
                   {"gpl_only", symbol.gpl_only},
                   {"namespace", symbol.name_space}});
  return out;
}

} // namespace

std::string crc_text(std::uint64_t crc) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%08" PRIx64, crc);
  return text;
}

nlohmann::ordered_json module_json(const Module &module) {
  nlohmann::ordered_json j;
  j["path"] = module.path;
  j["kind"] = "module";
  j["name"] = module.name;
  j["vermagic"] = optional_json(module.info("vermagic"));
  j["depends"] = optional_json(module.info("depends"));
  j["srcversion"] = optional_json(module.info("srcversion"));
  j["intree"] = module.in_tree();
  j["this_module_size"] =
      module.this_module_size ? nlohmann::ordered_json(*module.this_module_size) : nlohmann::ordered_json();
  j["has_versions"] = module.has_versions;
  j["versions"] = versions_json(module.versions);
  j["has_extended_versions"] = module.has_extended_versions;
  j["extended_versions"] = versions_json(module.extended_versions);
  j["exports"] = exports_json(module.exports);
  nlohmann::ordered_json modinfo = nlohmann::ordered_json::array();
  for (const auto &[key, value] : module.modinfo)
    modinfo.push_back({key, value});
  j["modinfo"] = std::move(modinfo);
  return j;
}

nlohmann::ordered_json kernel_json(const Kernel &kernel) {
  nlohmann::ordered_json j;
  j["release"] = kernel.release;
  j["vermagic"] = optional_json(kernel.vermagic);
  j["this_module_size"] =
      kernel.this_module_size ? nlohmann::ordered_json(*kernel.this_module_size) : nlohmann::ordered_json();
  j["machine"] = kernel.machine ? nlohmann::ordered_json(*kernel.machine) : nlohmann::ordered_json();
  j["exports"] = kernel.exports.size();
  j["vmlinux_exports_known"] = kernel.vmlinux_exports_known();
  j["config_known"] = kernel.config_known;
  j["force_load"] = kernel.force_load;
  j["allow_missing_namespace_imports"] = kernel.allow_missing_namespace_imports;
  j["sources"] = kernel.sources;
  return j;
}

nlohmann::ordered_json image_json(const KernelImage &image, const std::string &path) {
  std::size_t gpl = 0, with_namespace = 0;
  for (const ExportedSymbol &symbol : image.exports) {
    gpl += symbol.gpl_only;
    with_namespace += !symbol.name_space.empty();
  }
  return {{"path", path},
          {"kind", "kernel-image"},
          {"release", image.release},
          {"version", image.version},
          {"compression", image.compression},
          {"exports", image.exports.size()},
          {"gpl_only_exports", gpl},
          {"exports_in_namespaces", with_namespace}};
}

const char *refusal_kind_name(RefusalKind kind) {
  switch (kind) {
  case RefusalKind::Architecture:
    return "architecture";
  case RefusalKind::ModuleStructSize:
    return "struct-module-size";
  case RefusalKind::ModuleLayout:
    return "module-layout";
  case RefusalKind::NoVersions:
    return "no-versions";
  case RefusalKind::Vermagic:
    return "vermagic";
  case RefusalKind::SymbolVersion:
    return "symbol-version";
  case RefusalKind::UnknownSymbol:
    return "unknown-symbol";
  case RefusalKind::Namespace:
    return "namespace";
  }
  return "unknown";
}

nlohmann::ordered_json check_json(const CheckResult &result) {
  nlohmann::ordered_json refusals = nlohmann::ordered_json::array();
  for (const Refusal &refusal : result.refusals)
    refusals.push_back({{"kind", refusal_kind_name(refusal.kind)}, {"symbol", refusal.symbol}, {"lines", refusal.lines}});
  return {{"loads", result.refusals.empty()}, {"refusals", std::move(refusals)}, {"notes", result.notes}};
}

std::string describe_module(const Module &module) {
  std::string versions = module.has_extended_versions ? " (extended)" : module.has_versions ? "" : " (no __versions)";
  return module.path + ": module " + module.name + (module.in_tree() ? " (in tree)" : " (out of tree)") +
         ", vermagic '" + module.info("vermagic").value_or("") + "', " +
         std::to_string(module.has_extended_versions ? module.extended_versions.size() : module.versions.size()) +
         " symbol versions" + versions + ", " + std::to_string(module.undefined.size()) + " undefined symbols, " +
         std::to_string(module.exports.size()) + " exports";
}

nlohmann::ordered_json description_json(const std::vector<Read> &reads, const Description &description) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const Read &read : reads) {
    if (read.file.symvers) {
      files.push_back({{"path", read.path}, {"kind", "symvers"}, {"compression", read.file.compression},
                       {"exports", read.file.symvers->size()}});
    } else if (read.file.image) {
      files.push_back(image_json(*read.file.image, read.path));
    } else {
      nlohmann::ordered_json j = module_json(*read.file.module);
      j["compression"] = read.file.compression;
      files.push_back(std::move(j));
    }
  }
  nlohmann::ordered_json doc;
  doc["analyzer"] = "kmod";
  doc["value"] = description.value;
  doc["kernel"] = description.kernel ? kernel_json(*description.kernel) : nlohmann::ordered_json();
  doc["files"] = std::move(files);
  doc["other_files"] = description.other_files;
  return doc;
}

std::vector<std::string> description_explanation(const std::vector<Read> &reads, const Description &description) {
  std::vector<std::string> lines;
  for (const Read &read : reads)
    if (read.file.module)
      lines.push_back(describe_module(*read.file.module));
  if (const std::optional<Kernel> &kernel = description.kernel)
    lines.push_back("kernel " + kernel->release + ": " + std::to_string(kernel->exports.size()) + " exports" +
                    (kernel->vmlinux_exports_known() ? "" : " (no Module.symvers or image: vmlinux's are not counted)"));
  return lines;
}

std::vector<std::string> refusal_lines(const CheckRun &run) {
  std::vector<std::string> lines;
  for (const CheckedModule &checked : run.modules)
    for (const Refusal &refusal : checked.result.refusals)
      for (const std::string &line : refusal.lines)
        lines.push_back(checked.read->path + ": " + line);
  return lines;
}

nlohmann::ordered_json check_run_json(const CheckRun &run, const std::string &value) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const CheckedModule &checked : run.modules) {
    nlohmann::ordered_json j = {
        {"path", checked.read->path}, {"name", checked.read->file.module->name}, {"kernel", checked.kernel->release}};
    j.update(check_json(checked.result));
    files.push_back(std::move(j));
  }
  nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
  for (const Kernel *kernel : run.kernels)
    kernels.push_back(kernel_json(*kernel));
  nlohmann::ordered_json doc;
  doc["analyzer"] = "kmod";
  doc["check"] = true;
  doc["kernels"] = std::move(kernels);
  doc["value"] = value;
  doc["files"] = std::move(files);
  return doc;
}

std::vector<std::string> check_explanation(const CheckRun &run) {
  std::vector<std::string> lines;
  for (const CheckedModule &checked : run.modules)
    for (const std::string &note : checked.result.notes)
      lines.push_back(checked.read->path + ": " + note);
  return lines;
}

} // namespace abitag::kmod
