// SPDX-License-Identifier: MIT
// abitag python against CPython itself: what it reads of the installed
// interpreter is what that interpreter's sysconfig and importlib say, and
// --check agrees with the interpreter importing each extension module of
// tests/fixtures/python (made by scripts/make-fixtures-python) and copies
// of them renamed or patched at test time. The audit's python section on a
// root holding a copy of the interpreter and a folder of a Python not there.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "tests/audit_image.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

// Debian's interpreter, the one scripts/setup installs (not a python3
// earlier on PATH, such as pyenv's).
const std::string kPython = "/usr/bin/python3";

std::string ask_python(const std::string &code) {
  require_tool("python3", "python3");
  Run r = run(kPython, {"-c", code});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out.substr(0, r.out.find('\n'));
}

Run abitag_python(std::vector<std::string> args) {
  args.insert(args.begin(), "python");
  return run(abitag_binary(), args);
}

// Whether python3 imports module NAME from FOLDER.
bool python_imports(const std::string &folder, const std::string &name) {
  Run r = run(kPython, {"-c", "import sys; sys.path.insert(0, sys.argv[1]); import " + name, folder});
  return r.exit_code == 0;
}

// A copy of fixture FILE in DIR as NAME, with every FROM in its bytes made TO.
std::string patched_copy(const TempDir &dir, const std::string &file, const std::string &name,
                         const std::string &from = "", const std::string &to = "") {
  std::string bytes = read_file(fixture("python/" + file));
  if (!from.empty()) {
    REQUIRE(from.size() == to.size());
    std::size_t at = bytes.find(from);
    REQUIRE(at != std::string::npos);
    for (; at != std::string::npos; at = bytes.find(from, at))
      bytes.replace(at, from.size(), to);
  }
  std::string path = dir.path() + "/" + name;
  write_file(path, bytes);
  return path;
}

std::string ext_suffix() { return ask_python("import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"); }

// The check's verdict and python3's on the module NAME, the only file in its folder.
void agree(const std::string &path, const std::string &name, bool imports) {
  Run r = abitag_python({"--check", path});
  INFO(path << "\n" << r.out << r.err);
  CHECK(python_imports(fs::path(path).parent_path().string(), name) == imports);
  CHECK(r.exit_code == (imports ? 0 : 1));
  CHECK(r.out.empty() == imports);
}

} // namespace

TEST_CASE("python: the interpreter's SOABI, suffixes and magic are what its sysconfig and importlib say",
          "[python]") {
  std::string soabi = ask_python("import sysconfig; print(sysconfig.get_config_var('SOABI'))");
  std::string suffixes = ask_python("import importlib.machinery as m, json; print(json.dumps(m.EXTENSION_SUFFIXES))");
  std::string magic = ask_python("import importlib.util as u; print(int.from_bytes(u.MAGIC_NUMBER[:2], 'little'))");
  std::string stdlib = ask_python("import sysconfig; print(sysconfig.get_paths()['stdlib'])");
  Run r = abitag_python({"--json", stdlib});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  CHECK(doc["value"] == soabi);
  REQUIRE(doc["interpreters"].size() == 1);
  const nlohmann::json &interpreter = doc["interpreters"][0];
  CHECK(interpreter["soabi"] == soabi);
  CHECK(interpreter["suffixes"] == nlohmann::json::parse(suffixes));
  CHECK(interpreter["abi3"] == true);
  CHECK(interpreter["magic"] == std::stoi(magic));
  CHECK(interpreter["exports"].get<int>() > 500);
  CHECK(interpreter["problem"] == "");
}

TEST_CASE("python: each fixture extension's claim, PyInit_ and imports", "[python]") {
  std::string suffix = ext_suffix();
  Run r = abitag_python({"--json", fixture("python")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["extensions"].size() == 3);
  std::map<std::string, nlohmann::json> by_module;
  for (const nlohmann::json &e : doc["extensions"])
    by_module[e["module"]] = e;
  CHECK(by_module["lim"]["abi"] == "abi3");
  CHECK(by_module["spam"]["suffix"] == suffix);
  CHECK(by_module["spam"]["init"] == nlohmann::json::array({"PyInit_spam"}));
  CHECK(by_module["noinit"]["init"] == nlohmann::json::array({"PyInit_other"}));
  std::vector<std::string> imports = by_module["spam"]["imports"];
  CHECK(std::count(imports.begin(), imports.end(), "PyLong_FromLong") == 1);
  CHECK(std::count(imports.begin(), imports.end(), "PyModule_Create2") == 1);
  // The tag of a package of extensions: what they claim.
  CHECK(doc["value"] == "abi3," + suffix.substr(1, suffix.size() - 4));
}

TEST_CASE("python --check: agrees with python3 importing the fixtures, renamed and patched copies", "[python]") {
  std::string suffix = ext_suffix();
  std::string spam = "spam" + suffix;
  TempDir dir;
  SECTION("as built") {
    agree(patched_copy(dir, spam, spam), "spam", true);
    agree(patched_copy(dir, "lim.abi3.so", "lim.abi3.so"), "lim", true);
    agree(patched_copy(dir, "noinit" + suffix, "noinit" + suffix), "noinit", false);
  }
  SECTION("untagged: any interpreter tries it") { agree(patched_copy(dir, spam, "spam.so"), "spam", true); }
  SECTION("tagged for a Python not installed") {
    agree(patched_copy(dir, spam, "spam.cpython-399-x86_64-linux-gnu.so"), "spam", false);
  }
  SECTION("renamed: the module name no longer matches PyInit_") {
    agree(patched_copy(dir, spam, "eggs" + suffix), "eggs", false);
  }
  SECTION("an import the interpreter does not export") {
    std::string path = patched_copy(dir, spam, spam, std::string("PyLong_FromLong\0", 16),
                                    std::string("PyLong_FromLonh\0", 16));
    agree(path, "spam", false);
    Run r = abitag_python({"--check", path});
    std::string binary = ask_python("import sys, os; print(os.path.realpath(sys.executable))");
    CHECK(r.out == path + ": it imports PyLong_FromLonh, which " + binary + " (" +
                       suffix.substr(1, suffix.size() - 4) + ") does not export\n");
  }
}

TEST_CASE("python: bytecode magic is importlib's, and a .pyc shorter than its header or a truncated .so is bad input",
          "[python]") {
  TempDir dir;
  write_file(dir.path() + "/m.py", "X = 1\n");
  std::string pyc = ask_python("import py_compile; print(py_compile.compile('" + dir.path() + "/m.py'))");
  std::string magic = ask_python("import importlib.util as u; print(int.from_bytes(u.MAGIC_NUMBER[:2], 'little'))");
  Run r = abitag_python({"--json", pyc});
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  CHECK(doc["bytecode"][0]["magic"] == std::stoi(magic));
  CHECK(doc["value"] == "magic-" + magic);

  std::string short_pyc = dir.path() + "/short.pyc";
  write_file(short_pyc, read_file(pyc).substr(0, 10));
  r = abitag_python({short_pyc});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "abitag: " + short_pyc + ": truncated .pyc file: 10 bytes, shorter than the 16-byte header of magic " +
                     magic + " (Python 3.11)\n");
  CHECK(run(kPython, {"-c", "import importlib.util as u, sys; u.spec_from_file_location('s', sys.argv[1]).loader"
                            ".load_module()", short_pyc}).exit_code != 0);

  std::string truncated = dir.path() + "/spam" + ext_suffix();
  write_file(truncated, read_file(fixture("python/spam" + ext_suffix())).substr(0, 3000));
  r = abitag_python({"--check", truncated});
  CHECK(r.exit_code == 3);
  CHECK(lines(r.err).size() == 1);
  CHECK(r.err.rfind("abitag: " + truncated + ": ", 0) == 0);
  CHECK_FALSE(python_imports(dir.path(), "spam"));
}

TEST_CASE("audit python: a folder of a Python not installed names the packages installing there, and foreign bytecode",
          "[python][audit]") {
  std::string stdlib = ask_python("import sysconfig; print(sysconfig.get_paths()['stdlib'])");
  std::string sysconfigdata = ask_python("import sysconfig; print(sysconfig._get_sysconfigdata_name())");
  std::string binary = ask_python("import sys, os; print(os.path.realpath(sys.executable))");
  TempDir dir;
  std::string root = dir.path() + "/root";
  fs::create_directories(root + stdlib + "/importlib");
  fs::create_directories(root + "/usr/bin");
  fs::copy_file(binary, root + binary);
  fs::copy_file(stdlib + "/" + sysconfigdata + ".py", root + stdlib + "/" + sysconfigdata + ".py");
  fs::copy_file(stdlib + "/importlib/_bootstrap_external.py", root + stdlib + "/importlib/_bootstrap_external.py");
  const std::string old = "/usr/lib/python3.9/site-packages/pkg/_ext.cpython-39-x86_64-linux-gnu.so";
  patched_copy(dir, "spam" + ext_suffix(), "ext");
  fs::create_directories(root + "/usr/lib/python3.9/site-packages/pkg");
  fs::copy_file(dir.path() + "/ext", root + old);
  fs::create_directories(root + "/usr/lib/python3/dist-packages");
  write_file(root + "/usr/lib/python3/dist-packages/sourceless.pyc", std::string("\x61\x0d\x0d\x0a", 4) + std::string(12, '\0'));
  write_dpkg(root, {{"python3.9-pkg", old}, {"old-bytecode", "/usr/lib/python3/dist-packages/sourceless.pyc"}});

  Run r = audit({root, "--only", "python", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> by_kind;
  for (const nlohmann::json &f : doc["findings"])
    by_kind[f["kind"]] = f;
  CHECK(by_kind["removed-interpreter"]["file"] == "/usr/lib/python3.9");
  CHECK(by_kind["removed-interpreter"]["rebuild"] == nlohmann::json::array({old + " (package python3.9-pkg)"}));
  CHECK(by_kind["foreign-bytecode"]["file"] == "/usr/lib/python3/dist-packages/sourceless.pyc");
  CHECK(by_kind["foreign-bytecode"]["details"]["magic"] == 3425);
  Run check = abitag_python({"--check", "--root", root, root + old});
  CHECK(check.exit_code == 1);
  CHECK(check.out == root + old + ": it is in /usr/lib/python3.9, the folder of Python 3.9, which is not installed\n");
}
