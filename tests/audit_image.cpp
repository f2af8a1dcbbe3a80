// SPDX-License-Identifier: MIT
#include "tests/audit_image.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace abitag::test {

std::string make_audit_image(const TempDir &dir, const std::string &tree) {
  std::string image = dir.path() + "/image";
  fs::copy(fixture("audit/" + tree), image, fs::copy_options::recursive);
  std::string multiarch = image + "/usr/lib/x86_64-linux-gnu";
  fs::create_directories(multiarch);
  for (const char *name : {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2"})
    fs::copy_file(fs::canonical(std::string("/lib/x86_64-linux-gnu/") + name), multiarch + "/" + name);
  // The 32-bit loader, so that ROOT can load the fixtures' i386 files.
  fs::copy_file(fs::canonical("/lib/ld-linux.so.2"), image + "/usr/lib/ld-linux.so.2");
  fs::create_directory_symlink("usr/lib", image + "/lib");
  fs::create_directory_symlink("usr/lib/x86_64-linux-gnu", image + "/lib64");
  return image;
}

void write_dpkg(const std::string &root, const std::vector<std::pair<std::string, std::string>> &packages) {
  fs::create_directories(root + "/var/lib/dpkg/info");
  std::string status;
  for (const auto &[name, file] : packages) {
    status += "Package: " + name + "\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n\n";
    write_file(root + "/var/lib/dpkg/info/" + name + ".list", "/.\n" + file + "\n");
  }
  write_file(root + "/var/lib/dpkg/status", status);
}

Run audit(const std::vector<std::string> &args) {
  std::vector<std::string> all{"audit"};
  all.insert(all.end(), args.begin(), args.end());
  return run(abitag_binary(), all);
}

LddVerdict ldd_verdict(const std::string &path) {
  LddVerdict out;
  Run r = run("ldd", {"-r", path});
  out.ran = (r.exit_code == 0 || r.exit_code == 1) && !r.out.empty();
  for (const std::string &line : lines(r.out + r.err)) {
    const std::string undefined = "undefined symbol: ";
    if (line.rfind(undefined, 0) == 0) {
      std::size_t tab = line.find('\t');
      std::string symbol = line.substr(undefined.size(), tab - undefined.size());
      std::size_t comma = symbol.find(", version ");
      if (comma != std::string::npos)
        symbol = symbol.substr(0, comma) + "@" + symbol.substr(comma + 10);
      std::size_t open = line.find('(', tab), close = line.rfind(')');
      out.undefined[line.substr(open + 1, close - open - 1)].insert(symbol);
    } else if (std::size_t version = line.find(": version `"); version != std::string::npos) {
      std::size_t quote = line.find('\'', version);
      std::size_t by = line.find("(required by ", quote);
      std::string object = line.substr(by + 13, line.rfind(')') - by - 13);
      out.missing_versions[object].insert(line.substr(version + 11, quote - version - 11));
    } else if (std::size_t arrow = line.find(" => not found"); arrow != std::string::npos) {
      std::size_t start = line.find_first_not_of(" \t");
      out.not_found.insert(line.substr(start, arrow - start));
    }
  }
  return out;
}

std::vector<std::string> block(const std::string &text, const std::string &heading) {
  std::vector<std::string> all = lines(text), out;
  auto line = std::find_if(all.begin(), all.end(), [&](const std::string &l) { return l.rfind(heading, 0) == 0; });
  for (; line != all.end() && !line->empty(); ++line)
    out.push_back(*line);
  return out;
}

} // namespace abitag::test
