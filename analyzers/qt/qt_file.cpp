// SPDX-License-Identifier: MIT
// What an ELF file says about Qt: the private versions it defines and
// needs, and the Qt version it records.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include <llvm/BinaryFormat/ELF.h>

#include "analyzers/qt/elf_facts.h"
#include "analyzers/qt/qt.h"
#include "fingerprint/errors.h"
#include "fingerprint/mapped_file.h"

namespace abitag::qt {
namespace {

constexpr std::string_view kPrivateSuffix = "_PRIVATE_API";
// The oldest Qt with version tagging is 5.6; a major beyond this is not Qt.
constexpr unsigned kMinMajor = 5, kMaxMajor = 99;

// A decimal number at the start of TEXT, which it then drops.
std::optional<unsigned> take_number(std::string_view &text) {
  unsigned value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() || end - text.data() > 3)
    return std::nullopt;
  text.remove_prefix(end - text.data());
  return value;
}

// "M<sep>m<sep>p" at the start of TEXT, which it then drops.
std::optional<QtVersion> take_version(std::string_view &text, char separator) {
  std::optional<unsigned> major = take_number(text);
  if (!major || text.empty() || text[0] != separator)
    return std::nullopt;
  text.remove_prefix(1);
  std::optional<unsigned> minor = take_number(text);
  if (!minor || text.empty() || text[0] != separator)
    return std::nullopt;
  text.remove_prefix(1);
  std::optional<unsigned> patch = take_number(text);
  if (!patch || *major < kMinMajor || *major > kMaxMajor || *minor > 255 || *patch > 255)
    return std::nullopt;
  return QtVersion{*major, *minor, *patch};
}

// The first entry of .qtversion: QT_VERSION after a pointer-sized slot,
// itself 4 bytes (Qt 5, x86 only) or pointer-sized (Qt 6: a quintptr, whose
// low half is at the far end on a big-endian machine).
std::optional<QtVersion> decode_qtversion(llvm::StringRef bytes, const ElfFacts &elf) {
  std::size_t word = elf.elf_class == llvm::ELF::ELFCLASS64 ? 8 : 4;
  std::size_t at = elf.little_endian ? word : 2 * word - 4;
  if (bytes.size() < at + 4)
    return std::nullopt;
  const auto *p = reinterpret_cast<const unsigned char *>(bytes.data() + at);
  std::uint32_t value = elf.little_endian ? p[0] | p[1] << 8 | p[2] << 16 | std::uint32_t(p[3]) << 24
                                          : std::uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
  QtVersion v{value >> 16, (value >> 8) & 0xff, value & 0xff};
  if (v.major < kMinMajor || v.major > kMaxMajor)
    return std::nullopt;
  return v;
}

// QtCore's build string in .rodata: "Qt 5.15.8 (x86_64-little_endian-lp64
// shared (dynamic) release build; by GCC 12.2.0)", QLibraryInfo::build().
std::optional<QtVersion> find_build_string(llvm::StringRef rodata) {
  for (std::size_t at = rodata.find("Qt "); at != llvm::StringRef::npos; at = rodata.find("Qt ", at + 1)) {
    std::string_view rest(rodata.data() + at + 3, rodata.size() - at - 3);
    rest = rest.substr(0, rest.find('\0'));
    std::optional<QtVersion> v = take_version(rest, '.');
    if (v && rest.substr(0, 2) == " (" && rest.back() == ')' && rest.find(" build") != std::string_view::npos)
      return v;
  }
  return std::nullopt;
}

// QtPrivate_M_m_p inside an imported name: newer Qt 6 encodes its exact
// version in QObjectPrivate's constructor (_ZN14QObjectPrivateC2E16QtPrivate_6_11_1).
std::optional<QtVersion> find_mangled_version(const std::vector<DynamicSymbol> &symbols) {
  constexpr std::string_view kMarker = "QtPrivate_";
  for (const DynamicSymbol &symbol : symbols) {
    if (!symbol.undefined)
      continue;
    std::string_view name(symbol.name.data(), symbol.name.size());
    for (std::size_t at = name.find(kMarker); at != std::string_view::npos; at = name.find(kMarker, at + 1)) {
      std::string_view rest = name.substr(at + kMarker.size());
      std::optional<QtVersion> v = take_version(rest, '_');
      if (v && (rest.empty() || !std::isdigit(static_cast<unsigned char>(rest[0]))))
        return v;
    }
  }
  return std::nullopt;
}

// M.m.p from a file named SONAME.m.p where SONAME ends in ".so.M".
std::optional<QtVersion> file_name_version(const std::string &path, const std::string &soname) {
  std::string_view name = path;
  name = name.substr(name.rfind('/') + 1);
  std::size_t major_at = soname.rfind(".so.");
  if (soname.empty() || major_at == std::string::npos || name.size() <= soname.size() + 1 ||
      name.substr(0, soname.size()) != soname || name[soname.size()] != '.')
    return std::nullopt;
  std::string text = soname.substr(major_at + 4) + std::string(name.substr(soname.size()));
  std::string_view rest = text;
  std::optional<QtVersion> v = take_version(rest, '.');
  return v && rest.empty() ? v : std::nullopt;
}

bool is_private(std::string_view name) { return parse_private_tag(name).has_value(); }

// The entries of a search path that name a folder (qt looks only in those).
std::vector<std::string> non_empty(const std::vector<std::string> &entries) {
  std::vector<std::string> out;
  for (const std::string &entry : entries)
    if (!entry.empty())
      out.push_back(entry);
  return out;
}

// The private versions FACTS defines and needs, with the symbols under them.
void collect_private(const ElfFacts &facts, QtFile &out) {
  std::map<std::uint16_t, std::string> defined; // index -> tag
  for (const VersionDefinition &def : facts.definitions)
    if (is_private(def.name)) {
      out.private_tags.push_back(def.name);
      defined[def.index] = def.name;
    }
  std::map<std::uint16_t, std::size_t> used; // index -> private_uses entry
  for (const VersionNeed &need : facts.needs) {
    if (!is_private(need.name))
      continue;
    bool listed = std::find(facts.names.needed.begin(), facts.names.needed.end(), need.file) != facts.names.needed.end();
    used[need.index] = out.private_uses.size();
    out.private_uses.push_back({need.file, need.name, listed, {}});
  }
  for (const DynamicSymbol &symbol : facts.symbols) {
    if (symbol.undefined) {
      if (auto use = used.find(symbol.version); use != used.end())
        out.private_uses[use->second].symbols.push_back({symbol.name.str(), symbol.weak});
    } else if (auto tag = defined.find(symbol.version); tag != defined.end() && symbol.name != tag->second) {
      out.private_exports.push_back(symbol.name.str() + "\t" + tag->second); // not the version's own marker symbol
    }
  }
}

KnownVersion recorded_version(const ElfFacts &facts) {
  if (std::optional<QtVersion> v = decode_qtversion(facts.qtversion, facts))
    return {v, VersionSource::QtVersionSection};
  bool defines_version_tag = std::any_of(facts.symbols.begin(), facts.symbols.end(), [](const DynamicSymbol &s) {
    return !s.undefined && s.name == "qt_version_tag";
  });
  if (defines_version_tag) // QtCore
    if (std::optional<QtVersion> v = find_build_string(facts.rodata))
      return {v, VersionSource::BuildString};
  if (std::optional<QtVersion> v = find_mangled_version(facts.symbols))
    return {v, VersionSource::MangledName};
  return {};
}

// A full version in private tags, all the same.
std::optional<QtVersion> full_tag_version(const std::vector<std::string> &tags) {
  std::optional<QtVersion> found;
  for (const std::string &tag : tags) {
    std::optional<PrivateTag> parsed = parse_private_tag(tag);
    if (!parsed || !parsed->patch)
      continue;
    QtVersion v{parsed->major, *parsed->minor, *parsed->patch};
    if (found && *found != v)
      return std::nullopt;
    found = v;
  }
  return found;
}

} // namespace

std::string QtVersion::text() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::string KnownVersion::text() const { return version ? version->text() : "unknown"; }

std::string KnownVersion::described() const {
  return version ? "Qt " + text() + " (" + source_name(source) + ")" : std::string("an unknown Qt version");
}

const char *source_name(VersionSource source) {
  switch (source) {
  case VersionSource::QtVersionSection: return "qtversion-section";
  case VersionSource::BuildString: return "build-string";
  case VersionSource::MangledName: return "mangled-name";
  case VersionSource::PrivateTag: return "private-tag";
  case VersionSource::FileName: return "file-name";
  case VersionSource::None: break;
  }
  return "none";
}

std::optional<PrivateTag> parse_private_tag(std::string_view name) {
  if (name.substr(0, 3) != "Qt_" || name.size() < 3 + kPrivateSuffix.size() ||
      name.substr(name.size() - kPrivateSuffix.size()) != kPrivateSuffix)
    return std::nullopt;
  std::string_view middle = name.substr(3, name.size() - 3 - kPrivateSuffix.size());
  PrivateTag tag;
  std::optional<unsigned> parts[3];
  int count = 0;
  for (; count < 3; ++count) {
    parts[count] = take_number(middle);
    if (!parts[count])
      return std::nullopt;
    if (middle.empty())
      break;
    if (middle[0] != '.')
      return std::nullopt;
    middle.remove_prefix(1);
  }
  if (!middle.empty() || count == 3)
    return std::nullopt;
  tag.major = *parts[0];
  tag.minor = count >= 1 ? parts[1] : std::nullopt;
  tag.patch = count >= 2 ? parts[2] : std::nullopt;
  return tag;
}

llvm::Expected<QtFile> read_qt_buffer(llvm::MemoryBufferRef buffer, const std::string &path) {
  // The dynamic section and symbols only of a file that has to do with the
  // private API: most ELF files under /usr cost their version tables alone.
  auto about_private_api = [](const ElfFacts &facts) {
    return std::any_of(facts.definitions.begin(), facts.definitions.end(),
                       [](const VersionDefinition &d) { return is_private(d.name); }) ||
           std::any_of(facts.needs.begin(), facts.needs.end(), [](const VersionNeed &n) { return is_private(n.name); });
  };
  llvm::Expected<ElfFacts> facts = read_elf_facts(buffer, about_private_api);
  if (!facts)
    return facts.takeError();
  QtFile out;
  out.path = path;
  out.machine = facts->machine;
  out.elf_class = facts->elf_class;
  out.soname = facts->names.soname;
  out.search_paths = non_empty(facts->names.runpath.empty() ? facts->names.rpath : facts->names.runpath);
  collect_private(*facts, out);
  if (out.exports_private_api() || out.uses_private_api()) {
    out.recorded = recorded_version(*facts);
    out.file_name_version = file_name_version(path, out.soname);
  }
  return out;
}

llvm::Expected<QtFile> read_qt_file(const std::string &path) {
  thread_local std::vector<char> scratch;
  auto buffer = load_file(path, Reading::InParts, scratch);
  if (!buffer)
    return buffer.takeError();
  return read_qt_buffer((*buffer)->getMemBufferRef(), path);
}

KnownVersion provided_version(const QtFile &file) {
  if (file.recorded.version)
    return file.recorded;
  if (std::optional<QtVersion> v = full_tag_version(file.private_tags))
    return {v, VersionSource::PrivateTag};
  if (file.file_name_version)
    return {file.file_name_version, VersionSource::FileName};
  return {};
}

KnownVersion built_against(const QtFile &file, const PrivateUse &use) {
  if (std::optional<QtVersion> v = full_tag_version({use.tag}))
    return {v, VersionSource::PrivateTag};
  return file.recorded;
}

std::string tag_value(const std::vector<const QtFile *> &files) {
  std::set<QtVersion> versions;
  bool unknown = false;
  for (const QtFile *file : files) {
    if (!file->exports_private_api())
      continue;
    KnownVersion v = provided_version(*file);
    if (v.version)
      versions.insert(*v.version);
    else
      unknown = true;
  }
  std::string value;
  for (const QtVersion &v : versions)
    value += (value.empty() ? "" : ",") + v.text();
  if (unknown)
    value += value.empty() ? "unknown" : ",unknown";
  return value.empty() ? "none" : value;
}

} // namespace abitag::qt
