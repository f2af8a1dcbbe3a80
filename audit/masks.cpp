// SPDX-License-Identifier: MIT
#include "audit/masks.h"

#include <cerrno>
#include <cstring>
#include <fnmatch.h>
#include <fstream>
#include <set>

#include "fingerprint/discover.h"
#include "fingerprint/errors.h"
#include "fingerprint/paths.h"

namespace abitag::audit {

std::string exclude_pattern_problem(const std::string &pattern) {
  if (pattern.empty() || (pattern[0] != '/' && pattern[0] != '*'))
    return "an exclude pattern is an absolute path inside ROOT, or starts with '*'";
  return {};
}

namespace {

std::string trimmed(const std::string &text) {
  std::size_t start = text.find_first_not_of(" \t\r");
  if (start == std::string::npos)
    return {};
  return text.substr(start, text.find_last_not_of(" \t\r") + 1 - start);
}

// One line of audit.conf: a mask, nothing (blank, comment), or why not.
llvm::Expected<std::optional<Mask>> parse_line(const std::string &raw, const std::string &source) {
  std::string line = trimmed(raw);
  if (line.empty() || line[0] == '#')
    return std::nullopt;
  std::size_t blank = line.find_first_of(" \t");
  std::string keyword = line.substr(0, blank);
  std::string value = blank == std::string::npos ? "" : trimmed(line.substr(blank));
  Mask mask{Mask::Kind::Path, value, source, 0};
  if (keyword == mask_keyword(Mask::Kind::Library))
    mask.kind = Mask::Kind::Library;
  else if (keyword != mask_keyword(Mask::Kind::Path))
    return make_error("unknown setting '" + keyword + "' (the settings are exclude and mask-library)");
  if (value.empty())
    return make_error(keyword + " needs a pattern");
  if (mask.kind == Mask::Kind::Path) {
    if (std::string problem = exclude_pattern_problem(value); !problem.empty())
      return make_error(problem);
  } else if (value.find('/') != std::string::npos) {
    return make_error("mask-library takes a soname pattern, not a path");
  }
  return mask;
}

bool matches(const std::string &pattern, const std::string &text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

// PATH, or a folder above it, matches PATTERN.
bool path_matches(const std::string &pattern, std::string path) {
  for (; !path.empty() && path != "/" && path != "."; path = parent_dir(path))
    if (matches(pattern, path))
      return true;
  return false;
}

} // namespace

llvm::Expected<std::vector<Mask>> read_masks(const std::string &root, const std::vector<std::string> &excludes) {
  std::vector<Mask> masks;
  for (const std::string &glob : excludes)
    masks.push_back({Mask::Kind::Path, glob, "--exclude", 0});
  auto host = resolve_under_root(root, kAuditConfPath);
  if (!host) {
    llvm::consumeError(host.takeError()); // no configuration: nothing masked
    return masks;
  }
  std::ifstream in(*host);
  if (!in)
    return input_errors({{*host, std::strerror(errno)}});
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    std::string source = std::string(kAuditConfPath) + ":" + std::to_string(number);
    auto mask = parse_line(line, source);
    if (!mask)
      return input_errors({{*host + ":" + std::to_string(number), to_message(mask.takeError())}});
    if (*mask)
      masks.push_back(std::move(**mask));
  }
  if (in.bad())
    return input_errors({{*host, std::strerror(errno)}});
  return masks;
}

namespace {

// The mask that hides F (an index in MASKS), or -1. LIBRARIES_MASKED: the
// files whose every missing library a mask hid, with that mask.
int hiding_mask(const Finding &f, const std::vector<Mask> &masks, const std::map<std::string, int> &libraries_masked) {
  for (std::size_t i = 0; i < masks.size(); ++i) {
    const Mask &mask = masks[i];
    if (mask.kind == Mask::Kind::Path && path_matches(mask.pattern, f.file))
      return static_cast<int>(i);
    if (mask.kind == Mask::Kind::Library && f.kind == "missing-library" && f.details.contains("library") &&
        matches(mask.pattern, f.details["library"].get<std::string>()))
      return static_cast<int>(i);
  }
  // A missing library masked leaves undefined the symbols it would have
  // defined: the file's undefined symbols go with it.
  if (f.kind == "undefined-symbols")
    if (auto it = libraries_masked.find(f.file); it != libraries_masked.end())
      return it->second;
  return -1;
}

// The files whose missing libraries are all masked, each with the first mask that hid one.
std::map<std::string, int> files_with_libraries_masked(const std::vector<Finding> &findings,
                                                       const std::vector<Mask> &masks) {
  std::map<std::string, int> out;
  std::set<std::string> unmasked;
  for (const Finding &f : findings) {
    if (f.kind != "missing-library")
      continue;
    int mask = hiding_mask(f, masks, {});
    if (mask < 0 || masks[mask].kind != Mask::Kind::Library)
      unmasked.insert(f.file);
    else
      out.emplace(f.file, mask);
  }
  for (const std::string &file : unmasked)
    out.erase(file);
  return out;
}

void take_masked(std::vector<Finding> &findings, std::vector<Mask> &masks) {
  std::map<std::string, int> libraries_masked = files_with_libraries_masked(findings, masks);
  std::vector<Finding> kept;
  kept.reserve(findings.size());
  for (Finding &f : findings) {
    int mask = hiding_mask(f, masks, libraries_masked);
    if (mask >= 0)
      ++masks[mask].hidden;
    else
      kept.push_back(std::move(f));
  }
  findings = std::move(kept);
}

} // namespace

void apply_masks(AuditReport &report, std::vector<Mask> masks) {
  if (!masks.empty()) {
    take_masked(report.walk.findings, masks);
    for (SectionReport &section : report.sections)
      take_masked(section.findings, masks);
  }
  report.masks = std::move(masks);
}

} // namespace abitag::audit
