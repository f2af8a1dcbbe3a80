// SPDX-License-Identifier: MIT
// What the one walk of ROOT covered, as the report's "walk" part: the
// folders and files it could not read, the paths named by --under that
// hold nothing to audit, and the folders it passed over. None of it is a
// risk of the system audited; it says where the report is silent.
#include <algorithm>

#include "audit/root_files.h"
#include "fingerprint/paths.h"

namespace abitag::audit {
namespace {

std::string unread_folder_reason(const UnreadFolder &folder) {
  if (folder.files)
    return "could not be entered (" + folder.reason + "): the " + std::to_string(*folder.files) +
           " files it lists were not audited";
  return "could not be read (" + folder.reason + "): the files in it were not audited, how many is unknown";
}

// "2 folders could not be read, holding 3 files and an unknown number more".
std::string unread_folders_line(const std::vector<UnreadFolder> &folders) {
  std::size_t known = 0, unknown = 0;
  for (const UnreadFolder &folder : folders) {
    if (folder.files)
      known += *folder.files;
    else
      ++unknown;
  }
  std::string line = std::to_string(folders.size()) + " folders could not be read";
  if (folders.empty())
    return line;
  if (!unknown)
    return line + ", holding " + std::to_string(known) + " files";
  if (!known)
    return line + ", holding an unknown number of files";
  return line + ", holding " + std::to_string(known) + " files and an unknown number more";
}

void add_findings(const RootFiles &files, const std::string &root, SectionReport &out) {
  auto inside = [&](const std::string &path) { return path_inside_root(root, path); };
  for (const UnreadFolder &folder : files.unread_folders) {
    Finding f{Severity::Informational, "walk", "unreadable-folder", inside(folder.path),
              unread_folder_reason(folder), {}};
    f.details = {{"reason", folder.reason},
                 {"files", folder.files ? nlohmann::ordered_json(*folder.files) : nlohmann::ordered_json()}};
    out.findings.push_back(std::move(f));
  }
  for (const InputError &error : files.errors)
    out.findings.push_back({Severity::Informational, "walk", "unreadable-file", inside(error.path),
                            "could not be read (" + error.reason + "): not audited", {}});
  for (const InputError &error : files.not_wanted)
    out.findings.push_back({Severity::Informational, "walk", "nothing-to-audit", inside(error.path),
                            "named by --under, but " + error.reason + ": nothing in it to audit", {}});
}

// "/proc, /sys (pseudo file system); /tmp (scratch space)", in the order met.
std::string skipped_line(const std::vector<SkippedFolder> &skipped, const std::string &root) {
  std::vector<std::pair<std::string, std::string>> by_why; // why -> paths
  for (const SkippedFolder &folder : skipped) {
    auto it = std::find_if(by_why.begin(), by_why.end(), [&](const auto &group) { return group.first == folder.why; });
    if (it == by_why.end())
      it = by_why.insert(by_why.end(), {folder.why, ""});
    it->second += (it->second.empty() ? "" : ", ") + path_inside_root(root, folder.path);
  }
  std::string line;
  for (const auto &[why, paths] : by_why)
    line += (line.empty() ? "" : "; ") + paths + " (" + why + ")";
  return line;
}

} // namespace

SectionReport walk_report(const RootFiles &files, const std::string &root, bool one_file_system) {
  SectionReport out;
  out.name = "walk";
  add_findings(files, root, out);
  nlohmann::ordered_json folders = nlohmann::ordered_json::array();
  for (const UnreadFolder &folder : files.unread_folders) {
    folders.push_back({{"path", path_inside_root(root, folder.path)},
                       {"reason", folder.reason},
                       {"files", folder.files ? nlohmann::ordered_json(*folder.files) : nlohmann::ordered_json()}});
  }
  out.summary_lines.push_back(unread_folders_line(files.unread_folders) + "; " +
                              std::to_string(files.errors.size()) + " files could not be read");
  if (!files.skipped.empty())
    out.summary_lines.push_back("not entered: " + skipped_line(files.skipped, root));
  nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
  for (const SkippedFolder &folder : files.skipped)
    skipped.push_back({{"path", path_inside_root(root, folder.path)}, {"why", folder.why}});
  out.summary["one_file_system"] = one_file_system;
  out.summary["unreadable_folders"] = std::move(folders);
  out.summary["unreadable_files"] = files.errors.size();
  out.summary["nothing_to_audit"] = files.not_wanted.size();
  out.summary["not_entered"] = std::move(skipped);
  return out;
}

} // namespace abitag::audit
