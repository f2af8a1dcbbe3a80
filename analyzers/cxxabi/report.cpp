// SPDX-License-Identifier: MIT
#include "analyzers/cxxabi/report.h"

#include "analyzers/cxxabi/scan.h"
#include "analyzers/cxxabi/name_classifier.h"
#include "elf/demangle.h"

namespace abitag::cxxabi {
namespace {

constexpr const char *kNoProofNote =
    "no evidence is not proof: a class with a std::string member, and an old-ABI function "
    "returning std::string or std::list by value, leave no trace in symbol names";

void explain_file(const FileVerdict &v, std::vector<std::string> &lines) {
  std::string head = v.path + ": " + v.verdict;
  if (!v.flags.empty()) {
    head += " [";
    for (std::size_t i = 0; i < v.flags.size(); ++i)
      head += (i ? "," : "") + v.flags[i];
    head += "]";
  }
  lines.push_back(head);
  std::string counts = "  counts:";
  for (const auto &[key, n] : v.counts)
    counts += " " + key + "=" + std::to_string(n);
  lines.push_back(counts + " symbols=" + std::to_string(v.symbols));
  if (!v.read_through_loader.empty())
    lines.push_back("  symbols read through the dynamic segment, as the loader reads them: " +
                    v.read_through_loader + " (no .comment to name the compiler)");
  for (const std::string &compiler : v.compilers)
    lines.push_back("  compiler: " + compiler);
  for (const EvidenceSymbol &e : v.evidence)
    lines.push_back(std::string("  ") + scope_name(e.scope) + " " + e.families + ": " +
                    (e.member.empty() ? "" : e.member + ": ") + e.name + "  " + elf::demangle(e.name));
}

// How many files of each kind were read: with none, `compat` says only that
// nothing here has a C++ interface, and --explain and --json say so.
struct FilesRead {
  std::size_t elf = 0, archives = 0;
};

FilesRead count_files(const std::vector<InputFile> &files) {
  FilesRead read;
  for (const InputFile &file : files)
    (sniff_content(file.head) == ContentKind::Elf ? read.elf : read.archives)++;
  return read;
}

std::string files_read_line(const FilesRead &read, std::size_t other_files) {
  std::string line = std::to_string(read.elf + read.archives) + " files read (" + std::to_string(read.elf) +
                     " ELF files, " + std::to_string(read.archives) + " archives), " +
                     std::to_string(other_files) + " other files skipped";
  if (read.elf + read.archives == 0)
    line += ": no ELF file or archive here, so no C++ interface";
  return line;
}

} // namespace

std::string abi_scheme_value(std::uint8_t families) {
  return join_families(families, {"libstdc++-old", "libstdc++-cxx11", "libc++", "c++11-dialect"},
                       "compat");
}

nlohmann::ordered_json result_json(const CxxabiResult &result) {
  nlohmann::ordered_json doc;
  doc["analyzer"] = "cxxabi";
  doc["scheme"] = result.scheme;
  doc["value"] = result.value;
  if (!result.compiler.empty())
    doc["compiler"] = result.compiler;
  doc["families"] = abi_scheme_value(result.families);
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const FileVerdict &v : result.verdicts)
    files.push_back(file_json(v));
  doc["files"] = std::move(files);
  doc["skipped_links"] = skipped_links_json(result.links);
  FilesRead read = count_files(result.files);
  doc["files_read"] = read.elf + read.archives;
  doc["elf_files"] = read.elf;
  doc["archives"] = read.archives;
  doc["other_files"] = result.other_files;
  doc["note"] = kNoProofNote;
  return doc;
}

std::vector<std::string> explanation_lines(const CxxabiResult &result) {
  std::vector<std::string> lines;
  for (const FileVerdict &v : result.verdicts)
    explain_file(v, lines);
  for (const SkippedLink &link : result.links)
    lines.push_back(link.path + ": skipped: " + link.what);
  lines.push_back(files_read_line(count_files(result.files), result.other_files));
  lines.push_back(std::string("note: ") + kNoProofNote);
  if (!result.compiler.empty())
    lines.push_back("value: sha1 of '" + result.compiler + " --version'");
  return lines;
}

} // namespace abitag::cxxabi
