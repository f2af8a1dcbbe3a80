// SPDX-License-Identifier: MIT
// What the database readers share, and the readers themselves (reached
// through read_database in database.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>

#include "packages/database.h"

namespace abitag::packages {

llvm::Expected<Database> read_dpkg(const std::string &root, const ListFilter *filter = nullptr);
llvm::Expected<Database> read_exndbam(const std::string &root);
llvm::Expected<Database> read_vdb(const std::string &root);

// ROOT joined with PATH, a path inside it ("/var/lib/dpkg" under "/" or "/img").
std::string in_root(const std::string &root, std::string_view path);

// A whole file, read with read(2) (not mapped: the reader keeps the text as
// its package's file list). An error names the reason, not the path.
llvm::Expected<std::string> read_text(const std::string &path);

// The names in folder PATH, sorted, without "." and ".."; an error when it
// cannot be opened.
llvm::Expected<std::vector<std::string>> folder_names(const std::string &path);

bool is_folder(const std::string &path);
bool is_file(const std::string &path);

// TEXT without the white space at either end.
std::string_view trimmed(std::string_view text);

// TEXT's words: what white space separates.
std::vector<std::string_view> words(std::string_view text);

// TEXT's lines, without their newlines (a last line without one counts).
std::vector<std::string_view> text_lines(std::string_view text);

// The file lists must stay under 4 GiB (FileList's offsets are 32-bit).
constexpr std::size_t kMaxFileListBytes = 0xffffffffu;

// A Portage or Paludis dependency string ("a/b:0/1= || ( c/d e/f )",
// "build: x/y run: z/w[>=1] opt? ( q/r )"), split into its top-level items,
// each with the labels in force there ("build+run" when LABEL: tokens
// select several). A conditional group is split and each of its items kept
// inside the condition ("opt? ( q/r )"); an any-of group ("|| ( ... )") is
// one item. False when the parentheses do not balance.
struct LabelledSpec {
  std::string labels;
  std::string spec;
};
bool split_dependency_specs(std::string_view text, std::string_view default_labels,
                            std::vector<LabelledSpec> &out);

// Whether LABELS ("build+run") includes LABEL ("run").
bool has_label(std::string_view labels, std::string_view label);

// Reads PACKAGE's file list FILE (in its entry folder) a line at a time:
// PARSE adds a line's entry to the package or returns why it cannot. A line
// PARSE cannot read is a damaged entry naming it ("ENTRY/FILE:LINE"); one
// that cannot be read at all names the entry. Empty lines are skipped.
void read_file_list(const std::string &root, Package &package, const char *file,
                    const std::function<std::string(std::string_view line, Package &package)> &parse,
                    std::vector<DamagedEntry> &damaged);

// The entry folders two levels below FOLDER (CATEGORY/PF, CAT---PKG/
// VERSION:SLOT:COOKIE) as pairs of names, sorted, leaving out names SKIP
// accepts (merges in progress). An error when FOLDER cannot be listed; a
// folder of the first level that cannot be is a damaged entry.
using EntryFolders = std::vector<std::pair<std::string, std::string>>;
llvm::Expected<EntryFolders> entry_folders(const std::string &root, const std::string &folder,
                                           bool (*skip)(std::string_view name), Database &database);

// Runs read(first, second, package, damaged) for each entry folder on the
// I/O threads (a folder per package: about a thousand small files), and
// joins what each read in the folders' order.
void read_entries(const EntryFolders &entries,
                  const std::function<void(const std::string &, const std::string &, std::optional<Package> &,
                                           std::vector<DamagedEntry> &)> &read,
                  Database &database);

} // namespace abitag::packages
