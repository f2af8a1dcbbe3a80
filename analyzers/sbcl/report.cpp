// SPDX-License-Identifier: MIT
#include "analyzers/sbcl/report.h"

#include "analyzers/sbcl/core_header.h"

namespace abitag::sbcl {
namespace {

nlohmann::ordered_json space_json(const PlacedSpace &space) {
  return {{"id", space.entry.id},
          {"name", space_name(space.entry.id)},
          {"compression", compression_name(space.compression)},
          {"nwords", space.entry.nwords},
          {"data_page", space.entry.data_page},
          {"address", space.entry.address},
          {"page_count", space.entry.page_count},
          {"file_offset", space.file_offset}};
}

} // namespace

nlohmann::ordered_json report_json(const Report &r) {
  nlohmann::ordered_json j;
  j["path"] = r.path;
  j["kind"] = kind_name(r.file.kind);
  j["build_id"] = r.file.build_id;
  if (const auto &h = r.file.header) {
    j["word_size"] = h->location.word.size;
    j["endianness"] = h->location.word.big_endian ? "big" : "little";
    j["page_size"] = h->page_size;
    j["page_size_source"] = h->page_size_source;
    j["core_start"] = h->location.core_start;
    j["build_id_layout"] = h->build_id_layout;
    j["gc_id"] = h->gc_id ? nlohmann::ordered_json(*h->gc_id) : nlohmann::ordered_json();
    nlohmann::ordered_json options = {{"saved", h->runtime_options.has_value()}};
    if (h->runtime_options) {
      options["dynamic_space_size"] = h->runtime_options->dynamic_space_size;
      options["thread_control_stack_size"] = h->runtime_options->thread_control_stack_size;
      options["thread_tls_bytes"] = h->runtime_options->thread_tls_bytes;
      options["accept_runtime_options"] = h->runtime_options->accept_runtime_options;
    }
    j["runtime_options"] = std::move(options);
    if (r.file.kind == FileKind::Executable)
      j["runtime_build_id"] = r.embedded_runtime_id ? nlohmann::ordered_json(*r.embedded_runtime_id)
                                                    : nlohmann::ordered_json();
    nlohmann::ordered_json spaces = nlohmann::ordered_json::array();
    for (const PlacedSpace &space : r.spaces)
      spaces.push_back(space_json(space));
    j["spaces"] = std::move(spaces);
  }
  j["sha256"] = r.sha256;
  if (r.libraries && r.libraries->known) {
    j["foreign_libraries"] = r.libraries->names;
  } else if (r.libraries) {
    j["foreign_libraries"] = "unknown";
    j["foreign_libraries_reason"] = r.libraries->unknown_reason;
  }
  return j;
}

nlohmann::ordered_json description_json(const Description &description) {
  nlohmann::ordered_json doc;
  doc["analyzer"] = "sbcl";
  doc["field"] = description.field;
  doc["value"] = description.value;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const Report *r : description.files)
    files.push_back(report_json(*r));
  doc["files"] = std::move(files);
  add_discovery_json(doc, description.links, description.other_files);
  return doc;
}

std::vector<std::string> description_explanation(const Description &description) {
  std::vector<std::string> lines;
  for (const Report *r : description.files)
    lines.push_back(r->path + ": " + kind_name(r->file.kind) + ", build id " + r->file.build_id);
  lines.push_back(std::to_string(description.files.size()) + " SBCL files, " +
                  std::to_string(description.other_files) + " other files skipped");
  return lines;
}

namespace {

std::vector<std::string> core_problems(const CheckedCore &core) {
  std::vector<std::string> lines;
  for (const Problem &problem : core.result.problems)
    lines.push_back(core.report->path + ": " + problem.detail);
  return lines;
}

std::vector<std::string> core_notes(const CheckedCore &core) {
  std::vector<std::string> lines;
  for (const std::string &note : core.result.notes)
    lines.push_back(core.report->path + ": " + note);
  return lines;
}

} // namespace

std::vector<std::string> problem_lines(const CheckRun &run) {
  std::vector<std::string> lines;
  for (const CheckedCore &core : run.cores)
    for (std::string &line : core_problems(core))
      lines.push_back(std::move(line));
  return lines;
}

nlohmann::ordered_json check_run_json(const CheckRun &run, const std::string &value) {
  nlohmann::ordered_json cores = nlohmann::ordered_json::array();
  for (const CheckedCore &checked : run.cores) {
    nlohmann::ordered_json core = report_json(*checked.report);
    core["problems"] = core_problems(checked);
    core["notes"] = core_notes(checked);
    cores.push_back(std::move(core));
  }
  nlohmann::ordered_json doc;
  doc["analyzer"] = "sbcl";
  doc["check"] = true;
  if (run.runtime)
    doc["runtime"] = {{"path", run.runtime->path}, {"build_id", run.runtime->build_id}};
  doc["value"] = value;
  doc["files"] = std::move(cores);
  return doc;
}

std::vector<std::string> check_explanation(const CheckRun &run) {
  std::vector<std::string> lines;
  for (const CheckedCore &core : run.cores)
    for (std::string &line : core_notes(core))
      lines.push_back(std::move(line));
  return lines;
}

} // namespace abitag::sbcl
