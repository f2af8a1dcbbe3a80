// SPDX-License-Identifier: MIT
#include "packages/specs.h"

namespace abitag::packages {

const std::vector<std::string> &spec_format_names() {
  static const std::vector<std::string> names = {"cave", "emerge", "pacman", "dnf", "apt", "lines"};
  return names;
}

std::string shell_word(const std::string &word) {
  if (word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-./:=@") ==
      std::string::npos)
    return word;
  std::string out = "'";
  for (char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

namespace {

// The slot without its sub-slot: what cave and emerge select by.
std::string slot_of(const PackageId &id) { return id.slot.substr(0, id.slot.find('/')); }

bool has_category(const PackageId &id) { return id.manager == Manager::vdb || id.manager == Manager::exndbam; }

} // namespace

std::string package_spec(const PackageId &id, std::string_view format) {
  if (format == "cave")
    return has_category(id) ? "=" + id.name + "-" + id.version + (id.slot.empty() ? "" : ":" + slot_of(id)) : id.name;
  if (format == "emerge")
    return has_category(id) ? "=" + id.name + "-" + id.version : id.name;
  if (format == "dnf")
    return id.name + "-" + id.version + (id.architecture.empty() ? "" : "." + id.architecture);
  if (format == "apt")
    return id.qualified_name() + "=" + id.version;
  if (format == "lines")
    return id.manager == Manager::dpkg ? id.qualified_name() : id.short_name();
  return id.name; // pacman
}

std::string rebuild_command(const std::vector<std::string> &specs, std::string_view format) {
  if (specs.empty())
    return "";
  std::string out;
  if (format == "lines") {
    for (const std::string &spec : specs)
      out += spec + "\n";
    return out;
  }
  if (format == "cave")
    out = "cave resolve --execute --preserve-world";
  else if (format == "emerge")
    out = "emerge --oneshot";
  else if (format == "pacman")
    out = "pacman -S";
  else if (format == "dnf")
    out = "dnf reinstall";
  else
    out = "apt-get install --reinstall";
  for (const std::string &spec : specs)
    out += " " + shell_word(spec);
  return out + "\n";
}

std::string rebuild_command(const std::vector<PackageId> &packages, std::string_view format) {
  std::vector<std::string> specs;
  for (const PackageId &id : packages)
    specs.push_back(package_spec(id, format));
  return rebuild_command(specs, format);
}

} // namespace abitag::packages
