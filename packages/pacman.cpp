// SPDX-License-Identifier: MIT
// pacman's local database, read as text. libalpm reads it too, but libalpm is
// GPL-2.0-or-later, which abitag (MIT) does not link, and the format is
// simple: two text files a package of "%KEY%" sections (pacman:
// lib/libalpm/be_local.c, _alpm_local_db_write). The gzip'd mtree beside them
// is read with libarchive, which is how libalpm reads it too.
#include "packages/pacman.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

#include <archive.h>
#include <archive_entry.h>
#include <llvm/Support/MemoryBuffer.h>

#include "fingerprint/errors.h"
#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"

namespace abitag::packages {

namespace {

constexpr const char *kLocalDir = "var/lib/pacman/local"; // under the root (pacman's default DBPath)
// ALPM_LOCAL_DB_VERSION, the layout of local/ since pacman 4.2.
constexpr std::string_view kDbVersion = "9";

llvm::Expected<std::string> read_text(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return make_error(buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.remove_suffix(1);
  return text;
}

// A desc or files file: "%KEY%" on a line of its own, then the key's values,
// one a line, up to a blank line. A line inside a section is a value even
// when it looks like a key (a file may be named "%x%").
using Sections = std::map<std::string, std::vector<std::string>, std::less<>>;

Sections parse_sections(std::string_view text) {
  Sections sections;
  std::vector<std::string> *values = nullptr;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty())
      values = nullptr;
    else if (values)
      values->emplace_back(line);
    else if (line.size() > 2 && line.front() == '%' && line.back() == '%')
      values = &sections[std::string(line.substr(1, line.size() - 2))];
  }
  return sections;
}

std::optional<std::string> single(const Sections &sections, std::string_view key) {
  auto found = sections.find(key);
  if (found == sections.end() || found->second.empty() || found->second.front().empty())
    return std::nullopt;
  return found->second.front();
}

std::vector<std::string> values(const Sections &sections, std::string_view key) {
  auto found = sections.find(key);
  return found == sections.end() ? std::vector<std::string>() : found->second;
}

// What the files list cannot say: which entry is a symbolic link, and to
// what. Keyed by the path as the files list writes it ("usr/lib/libx.so.1").
struct MtreeEntry {
  EntryType type = EntryType::file;
  std::string link_target;
};
using MtreeEntries = std::unordered_map<std::string, MtreeEntry>;

EntryType entry_type(mode_t file_type) {
  switch (file_type) {
  case AE_IFREG: return EntryType::file;
  case AE_IFDIR: return EntryType::directory;
  case AE_IFLNK: return EntryType::symlink;
  default: return EntryType::other;
  }
}

// Through libarchive, which undoes mtree's escapes ("with\040space.txt") and
// its /set defaults. It never looks at the files the mtree names: its
// "checkfs" option is off unless asked for.
llvm::Expected<MtreeEntries> read_mtree(const std::string &path) {
  std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_format_mtree(reader.get());
  if (archive_read_open_filename(reader.get(), path.c_str(), 64 * 1024) != ARCHIVE_OK)
    return make_error(archive_error_string(reader.get()));
  MtreeEntries entries;
  archive_entry *entry = nullptr;
  int status;
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
    const char *name = archive_entry_pathname(entry);
    std::string_view path = name ? name : "";
    if (path.substr(0, 2) == "./")
      path.remove_prefix(2);
    const char *target = archive_entry_symlink(entry);
    entries[std::string(path)] = {entry_type(archive_entry_filetype(entry)), target ? target : ""};
  }
  if (status != ARCHIVE_EOF)
    return make_error(archive_error_string(reader.get()));
  return entries;
}

// %FILES%: paths relative to the root, folders with a trailing '/'.
FileList file_entries(const Sections &files, const MtreeEntries &mtree) {
  FileList entries;
  for (const std::string &line : values(files, "FILES")) {
    bool folder = line.back() == '/';
    std::string relative = folder ? line.substr(0, line.size() - 1) : line;
    FileEntry entry;
    entry.type = folder ? EntryType::directory : EntryType::file;
    if (auto found = mtree.find(relative); found != mtree.end()) {
      entry.type = found->second.type;
      entry.link_target = found->second.link_target;
    }
    entry.path = "/" + relative;
    entries.push_back(entry);
  }
  entries.shrink_to_fit();
  return entries;
}

// One NAME-VERSION folder of local/: its package, or why it is damaged, and
// an mtree that could not be read (the package is still read without it).
struct EntryRead {
  std::optional<Package> package;
  std::vector<DamagedEntry> damaged;
};

EntryRead read_entry(const std::string &folder, const std::string &folder_name) {
  EntryRead read;
  auto damaged = [&](std::string reason) {
    read.damaged.push_back({folder, std::move(reason)});
    return std::move(read);
  };
  auto desc_text = read_text(join_path(folder, "desc"));
  if (!desc_text)
    return damaged("desc: " + to_message(desc_text.takeError()));
  Sections desc = parse_sections(*desc_text);
  std::optional<std::string> name = single(desc, "NAME"), version = single(desc, "VERSION");
  if (!name)
    return damaged("desc has no %NAME%");
  if (!version)
    return damaged("desc has no %VERSION%");
  // libalpm takes a package's identity from its folder and refuses a desc
  // that names another ("database is inconsistent").
  if (*name + "-" + *version != folder_name)
    return damaged("desc names " + *name + " " + *version + ", not this folder's package");
  auto files_text = read_text(join_path(folder, "files"));
  if (!files_text)
    return damaged("files: " + to_message(files_text.takeError()));

  MtreeEntries mtree;
  std::string mtree_path = join_path(folder, "mtree");
  std::error_code error;
  if (std::filesystem::exists(mtree_path, error)) { // packages made without one have none
    auto read_types = read_mtree(mtree_path);
    if (read_types)
      mtree = std::move(*read_types);
    else
      read.damaged.push_back({mtree_path, to_message(read_types.takeError())});
  }
  Package package;
  package.id.manager = Manager::pacman;
  package.id.name = *name;
  package.id.version = *version;
  package.id.architecture = single(desc, "ARCH").value_or("");
  package.id.source = single(desc, "BASE").value_or(*name); // no %BASE%: its own base
  package.dependencies = values(desc, "DEPENDS");
  package.files = file_entries(parse_sections(*files_text), mtree);
  package.entry = folder;
  read.package = std::move(package);
  return read;
}

// The package folders of local/, sorted (the same database always reads the same).
llvm::Expected<std::vector<std::string>> package_folders(const std::string &local) {
  std::vector<std::string> folders;
  std::error_code error;
  for (std::filesystem::directory_iterator it(local, error), end; !error && it != end; it.increment(error)) {
    std::error_code type_error;
    if (it->is_directory(type_error))
      folders.push_back(it->path().filename().string());
  }
  if (error)
    return make_error(local + ": " + error.message());
  std::sort(folders.begin(), folders.end());
  return folders;
}

} // namespace

bool has_pacman(const std::string &root) {
  std::error_code error;
  return std::filesystem::is_regular_file(join_path(join_path(root, kLocalDir), "ALPM_DB_VERSION"), error);
}

llvm::Expected<Database> read_pacman(const std::string &root) {
  std::string local = join_path(root, kLocalDir);
  std::string version_file = join_path(local, "ALPM_DB_VERSION");
  auto version = read_text(version_file);
  if (!version)
    return make_error(version_file + ": " + to_message(version.takeError()));
  if (trim(*version) != kDbVersion)
    return make_error(version_file + ": version " + std::string(trim(*version)) + ", where abitag reads version " +
                      std::string(kDbVersion) + " (pacman 4.2 and later)");
  auto folders = package_folders(local);
  if (!folders)
    return folders.takeError();

  // Three small files a package, a thousand packages or more: read on
  // several threads, joined in the folders' order.
  std::vector<EntryRead> reads(folders->size());
  parallel_for(folders->size(), [&](std::size_t i) {
    reads[i] = read_entry(join_path(local, (*folders)[i]), (*folders)[i]);
  }, io_threads());
  Database database;
  database.manager = Manager::pacman;
  database.location = std::string("/") + kLocalDir;
  for (EntryRead &read : reads) {
    if (read.package)
      database.packages.push_back(std::move(*read.package));
    for (DamagedEntry &damaged : read.damaged)
      database.damaged.push_back(std::move(damaged));
  }
  return database;
}

} // namespace abitag::packages
