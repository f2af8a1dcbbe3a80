// SPDX-License-Identifier: MIT
#include "analyzers/ghc/read_inputs.h"

#include <iostream>
#include <iterator>

#include "analyzers/ghc/register_script.h"
#include "fingerprint/mapped_file.h"
#include "fingerprint/parallel.h"

namespace abitag::ghc {
namespace {

constexpr const char *kWanted =
    "not a register.sh, an InstalledPackageInfo .conf or a ghc-pkg dump";

DiscoverOptions ghc_inputs(const std::string &root) {
  DiscoverOptions options;
  options.root = root;
  options.wanted = kWanted;
  options.accept = [](std::string_view head) {
    return !is_binary(head) && (looks_like_register_script(head) || looks_like_package_info(head));
  };
  return options;
}

llvm::Expected<std::vector<PackageInfo>> parse_records(const std::vector<std::string_view> &records,
                                                       const char *what) {
  std::vector<PackageInfo> out;
  for (std::size_t i = 0; i < records.size(); ++i) {
    llvm::Expected<PackageInfo> info = parse_package_info(records[i]);
    if (!info) {
      std::string reason = to_message(info.takeError());
      if (records.size() > 1)
        reason = std::string(what) + " " + std::to_string(i + 1) + ": " + reason;
      return make_error(reason);
    }
    out.push_back(std::move(*info));
  }
  return out;
}

// Why a file met in a directory walk is not an input at all (as opposed to
// an input that is malformed): such files are skipped, not reported.
bool is_foreign(std::string_view text) {
  return looks_like_register_script(text) && !has_registration(text);
}

struct FileResult {
  std::vector<PackageInfo> infos;
  std::string error;
  bool foreign = false;
};

FileResult read_one(const InputFile &file) {
  FileResult result;
  auto buffer = map_file(file.open_path);
  if (!buffer) {
    result.error = to_message(buffer.takeError());
    return result;
  }
  std::string_view text((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  result.foreign = is_foreign(text);
  auto infos = parse_text(text);
  if (infos)
    result.infos = std::move(*infos);
  else
    result.error = to_message(infos.takeError());
  return result;
}

void add_units(ReadResult &out, std::vector<PackageInfo> infos, const std::string &path, std::size_t db) {
  for (PackageInfo &info : infos)
    out.units.push_back({std::move(info), path, db});
}

void read_path(ReadResult &out, const std::string &path, std::size_t db, const std::string &root) {
  if (path == "-") {
    std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    auto infos = parse_text(text);
    if (!infos)
      out.errors.push_back({"-", to_message(infos.takeError())});
    else
      add_units(out, std::move(*infos), "-", db);
    return;
  }
  Discovery found = discover({path}, ghc_inputs(root));
  out.errors.insert(out.errors.end(), found.errors.begin(), found.errors.end());
  out.links.insert(out.links.end(), found.links.begin(), found.links.end());
  out.other_files += found.other_files;
  std::vector<FileResult> results(found.files.size());
  parallel_for(found.files.size(), [&](std::size_t i) { results[i] = read_one(found.files[i]); });
  for (std::size_t i = 0; i < results.size(); ++i) {
    bool named = found.files[i].path == path;
    if (results[i].foreign && !named) {
      ++out.other_files;
      continue;
    }
    if (!results[i].error.empty())
      out.errors.push_back({found.files[i].path, results[i].error});
    else
      add_units(out, std::move(results[i].infos), found.files[i].path, db);
  }
}

} // namespace

llvm::Expected<std::vector<PackageInfo>> parse_text(std::string_view text) {
  if (text.empty())
    return make_error("empty file");
  if (is_binary(text))
    return make_error("binary data, " + std::string(kWanted));
  if (looks_like_register_script(text)) {
    if (!has_registration(text))
      return make_error("a shell script without an `echo '...' | ghc-pkg` registration");
    auto payloads = extract_registrations(text);
    if (!payloads)
      return payloads.takeError();
    std::vector<std::string_view> records(payloads->begin(), payloads->end());
    return parse_records(records, "registration");
  }
  std::vector<std::string_view> records = split_records(text);
  if (records.empty())
    return make_error("no package description in the file");
  return parse_records(records, "record");
}

ReadResult read_inputs(const std::vector<std::string> &paths, const std::string &root) {
  ReadResult out;
  for (std::size_t i = 0; i < paths.size(); ++i)
    read_path(out, paths[i], i, root);
  return out;
}

} // namespace abitag::ghc
