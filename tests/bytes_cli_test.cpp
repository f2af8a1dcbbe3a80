// SPDX-License-Identifier: MIT
// Names that are not UTF-8, or hold tabs and newlines, through the real
// binary: every JSON document stays valid JSON that python3's json module
// reads, and surrogateescape gives back the very bytes (README, "Bytes that
// are not UTF-8"); every tab-separated row stays one line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

#include "tests/audit_image.h"
#include "tests/tagger_support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

// Bytes no UTF-8 decoder accepts: 0xff, then every continuation byte in a row.
std::string continuation_run() {
  std::string out;
  for (int b = 0x80; b <= 0xbf; ++b)
    out += static_cast<char>(b);
  return out;
}

// The file names every test here makes, each under FOLDER.
std::vector<std::string> odd_names() {
  return {"lib\xff.so", "lib" + continuation_run() + ".so", "lib\nnew\tline\\n\xc3\xa9.so"};
}

std::string from_hex(const std::string &hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// The strings EXPRESSION (Python, over the document d) picks out of the
// JSON TEXT, as python3's json module reads them and surrogateescape turns
// them back into bytes; sorted.
std::vector<std::string> python_strings(const std::string &text, const std::string &expression) {
  require_tool("python3", "python3");
  const char *script = "import json, sys\n"
                       "d = json.loads(sys.stdin.buffer.read())\n"
                       "for s in eval(sys.argv[1]): print(s.encode('utf-8', 'surrogateescape').hex())\n";
  Run r = run("python3", {"-c", script, expression}, text);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> out;
  for (const std::string &hex : lines(r.out))
    out.push_back(from_hex(hex));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> split(const std::string &row, char separator) {
  std::vector<std::string> out(1);
  for (char c : row)
    if (c == separator)
      out.emplace_back();
    else
      out.back() += c;
  return out;
}

// A field of a tab-separated row back to its bytes (\t \n \r \\).
std::string unescape_field(const std::string &field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c == '\\' && i + 1 < field.size()) {
      char e = field[++i];
      c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
    }
    out += c;
  }
  return out;
}

} // namespace

TEST_CASE("bytes: file names that are not UTF-8 through cxxabi --json and symbols", "[bytes][cli]") {
  TempDir dir;
  std::string folder = dir.path() + "/odd";
  fs::create_directory(folder);
  std::string library = fixture("cxxabi/new-O2/libnew.so");
  std::vector<std::string> paths;
  for (const std::string &name : odd_names()) {
    fs::copy_file(library, folder + "/" + name);
    paths.push_back(folder + "/" + name);
  }
  std::sort(paths.begin(), paths.end());

  Run json = run(abitag_binary(), {"cxxabi", "--json", folder});
  INFO(json.err);
  REQUIRE(json.exit_code == 0);
  CHECK(python_strings(json.out, "[f['path'] for f in d['files']]") == paths);
  CHECK(python_strings(json.out, "[d['value']]") ==
        python_strings(run(abitag_binary(), {"cxxabi", "--json", library}).out, "[d['value']]"));

  // One line per symbol: every row has its eight fields, its file name escaped.
  Run plain = run(abitag_binary(), {"symbols", library});
  Run odd = run(abitag_binary(), {"symbols", folder});
  REQUIRE(plain.exit_code == 0);
  REQUIRE(odd.exit_code == 0);
  std::size_t per_file = lines(plain.out).size() - 1;
  REQUIRE(per_file > 0);
  std::vector<std::string> rows = lines(odd.out);
  REQUIRE(rows.size() == 1 + paths.size() * per_file);
  std::map<std::string, std::size_t> rows_per_file;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    std::vector<std::string> fields = split(rows[i], '\t');
    REQUIRE(fields.size() == 8);
    ++rows_per_file[unescape_field(fields[0])];
  }
  CHECK(rows_per_file.size() == paths.size());
  for (const std::string &path : paths)
    CHECK(rows_per_file[path] == per_file);
  CHECK(odd.out.find("lib\\nnew\\tline\\\\n\xc3\xa9.so\t") != std::string::npos);
}

TEST_CASE("bytes: an audit of a root holding names that are not UTF-8", "[bytes][audit]") {
  TempDir dir;
  std::string image = make_audit_image(dir, "broken");
  std::vector<std::string> missing{"/usr/bin/needs-gone"};
  for (const std::string &name : odd_names()) {
    fs::copy_file(image + "/usr/bin/needs-gone", image + "/usr/bin/" + name);
    missing.push_back("/usr/bin/" + name);
  }
  std::sort(missing.begin(), missing.end());

  Run json = run(abitag_binary(), {"audit", image, "--json"});
  INFO(json.err);
  REQUIRE(json.exit_code == 1);
  CHECK(python_strings(json.out, "[f['file'] for f in d['findings'] if f['kind'] == 'missing-library' "
                                   "and f['file'].startswith('/usr/bin/')]") == missing);

  // The text report: one line per finding, the newline written \n.
  Run text = run(abitag_binary(), {"audit", image});
  REQUIRE(text.exit_code == 1);
  std::size_t found = 0;
  for (const std::string &line : lines(text.out))
    found += line.rfind("    /usr/bin/lib\\nnew\\tline\\\\n\xc3\xa9.so: [linkage/missing-library] ", 0) == 0;
  CHECK(found == 1);
}

TEST_CASE("bytes: a ghc package field and .conf name that are not UTF-8", "[bytes][ghc]") {
  TempDir dir;
  std::string conf = read_file(fixture("ghc/db-good/tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s.conf"));
  std::size_t id = conf.find("\nid:");
  REQUIRE(id != std::string::npos);
  conf.insert(conf.find('\n', id + 1), "-\xff\x80");
  std::string path = dir.path() + "/tiny\xfe.conf";
  write_file(path, conf);
  Run json = run(abitag_binary(), {"ghc", "--json", path});
  INFO(json.err);
  REQUIRE(json.exit_code == 0);
  CHECK(python_strings(json.out, "[c['id'] for c in d['components']]") ==
        std::vector<std::string>{"tinylib-0.1.0-DOnMRdvkwozHKubjOEm74s-\xff\x80"});
  CHECK(python_strings(json.out, "[c['path'] for c in d['components']]") == std::vector<std::string>{path});
}

TEST_CASE("bytes: a store with bytes in ids, keys, values and tag paths exports, imports and shows them", "[bytes][tagger]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  std::string id = "dev-libs/\xff" + continuation_run() + ":0", key = "k\xc3\xa9\xc3", value = "v \xff\t\\udc80 \xed\xa0\x80";
  require_ok(tagger(db, "set", {id, key, value}));
  require_ok(tagger(db, "set", {"a\\b:0", "k", "1"}));
  require_ok(tagger(db, "lock", {"app/user\x80:0", id, key}));
  require_ok(tagger(db, "lock", {"a\\b:0", id, key}));
  // `tag` records the path it was given: a folder whose name is not UTF-8 and holds a newline.
  std::string folder = dir.path() + "/lib\xff\ndir";
  fs::create_directory(folder);
  fs::copy_file(fixture("cxxabi/new-O2/libnew.so"), folder + "/libnew.so");
  require_ok(tagger(db, "tag", {id, "cxxabi", folder}));

  Run exported = tagger(db, "export");
  require_ok(exported);
  CHECK(python_strings(exported.out, "list(d['packages'])") ==
        std::vector<std::string>{"a\\b:0", "app/user\x80:0", id});
  CHECK(python_strings(exported.out, "[k for p in d['packages'].values() for k in p['tags']]") ==
        std::vector<std::string>{"cxxabi", "k", key});
  CHECK(python_strings(exported.out, "[t['value'] for p in d['packages'].values() for k, t in p['tags'].items() "
                                     "if k != 'cxxabi'] + [l['value'] for p in d['packages'].values() for l in p['locks']]") ==
        std::vector<std::string>{"1", value, value, value});
  CHECK(python_strings(exported.out, "[p for t in d['packages'].values() for k, v in t['tags'].items() "
                                     "if k == 'cxxabi' for p in v['arguments']['paths']]") ==
        std::vector<std::string>{folder});

  // Into an emptied store and out again: the same document, byte for byte.
  require_ok(tagger(db, "import", {"--replace"}, exported.out));
  CHECK(tagger(db, "export").out == exported.out);
  std::string copy = dir.path() + "/copy.db";
  require_ok(tagger(copy, "import", {}, exported.out));
  CHECK(tagger(copy, "export").out == exported.out);
  CHECK(sqlite_rows(copy, "SELECT hex(package), hex(key), hex(value) FROM tags ORDER BY package, key") ==
        sqlite_rows(db, "SELECT hex(package), hex(key), hex(value) FROM tags ORDER BY package, key"));

  Run shown = tagger(db, "show", {id, "--json"});
  require_ok(shown);
  CHECK(python_strings(shown.out, "[t['value'] for p in d['packages'].values() for k, t in p['tags'].items() "
                                  "if k != 'cxxabi']") == std::vector<std::string>{value});

  // check --format lines: a row per package, its backslash escaped.
  require_ok(tagger(db, "set", {id, key, "new"}));
  Run check = tagger(db, "check", {"--format", "lines"});
  CHECK(check.exit_code == 1);
  CHECK(lines(check.out) == std::vector<std::string>{"a\\\\b:0", "app/user\x80:0"});
  Run json = tagger(db, "check", {"--json"});
  CHECK(json.exit_code == 1);
  CHECK(python_strings(json.out, "d['rebuild']") == std::vector<std::string>{"a\\b:0", "app/user\x80:0"});
}

TEST_CASE("bytes: an import refuses escapes that stand for no byte, saying where", "[bytes][tagger]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  Run low = tagger(db, "import", {},
                   "{\"format\": \"abitag-store\", \"version\": 1,\n \"packages\": {\"a\\udc41:0\": {}}}");
  CHECK(low.exit_code == 3);
  CHECK(low.err == "abitag: (stdin): malformed JSON: line 2, column 17: \\udc41 stands for no byte (the bytes that "
                   "are not UTF-8 are \\udc80 to \\udcff)\n");
  Run high = tagger(db, "import", {}, R"({"format": "abitag-store", "version": 1, "packages": {"a\ud800:0": {}}})");
  CHECK(high.exit_code == 3);
  CHECK(high.err == "abitag: (stdin): malformed JSON: line 1, column 57: a high surrogate \\ud800 without a low "
                    "surrogate after it\n");
  Run raw = tagger(db, "import", {}, "{\"format\": \"abitag-store\", \"version\": 1, \"packages\": {\"a\xff:0\": {}}}");
  CHECK(raw.exit_code == 3);
  CHECK(raw.err.rfind("abitag: (stdin): malformed JSON: line 1, column 57: a byte that is not UTF-8: 0xff", 0) == 0);
  CHECK(!fs::exists(db));
}
