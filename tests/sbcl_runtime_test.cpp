// SPDX-License-Identifier: MIT
// The sbcl analyzer against the real SBCL runtime: full cores are saved at
// test time into a temporary folder (about 40 MB each, removed afterwards),
// and what abitag says about them is compared with what sbcl itself does.
// Skipped, with a warning, when sbcl or cc is not installed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/sbcl_support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

Run abitag_sbcl(std::vector<std::string> args) {
  args.insert(args.begin(), "sbcl");
  return run(abitag_binary(), args);
}

// What the image itself says it reopens.
std::vector<std::string> image_shared_objects(const std::string &image, bool executable) {
  Run r = run_image(image, executable,
                    "(progn (dolist (s sb-sys:*shared-objects*) "
                    "(write-line (sb-alien::shared-object-namestring s))) (finish-output))");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return lines(r.out);
}

nlohmann::json describe(const std::string &image) {
  Run r = abitag_sbcl({"--json", image});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["files"].size() == 1);
  return doc["files"][0];
}

} // namespace

TEST_CASE("sbcl: the runtime refuses a one-byte-patched core, naming the two ids abitag prints", "[sbcl][runtime]") {
  require_sbcl();
  TempDir dir;
  std::string plain = save_image(dir, "plain.core", {});
  std::string sbcl = first_line(run("sh", {"-c", "command -v sbcl"}).out);
  std::string runtime_id = first_line(abitag_sbcl({sbcl}).out);
  REQUIRE(!runtime_id.empty());
  CHECK(abitag_sbcl({plain}).out == runtime_id + "\n");

  // Change the first character of the build id in the header page.
  std::string bytes = read_file(plain);
  std::size_t at = bytes.find(runtime_id);
  REQUIRE(at < 32768);
  bytes[at] = bytes[at] == 'X' ? 'Y' : 'X';
  std::string patched = dir.path() + "/patched.core";
  write_file(patched, bytes);
  std::string patched_id = first_line(abitag_sbcl({patched}).out);
  CHECK(patched_id == bytes.substr(at, runtime_id.size()));

  Run refused = run_image(patched, false, "(sb-ext:exit)");
  CHECK(refused.exit_code != 0);
  std::string message = "core was built for runtime \"" + patched_id + "\" but this is \"" + runtime_id + "\"";
  CHECK(refused.err.find(message) != std::string::npos);

  Run check = abitag_sbcl({"--check", patched, plain});
  CHECK(check.exit_code == 1);
  CHECK(check.out == patched + ": " + message + " (" + sbcl + ")\n");
  Run runtime_option = abitag_sbcl({"--check", "--runtime", patched, plain});
  CHECK(runtime_option.exit_code == 1);
  CHECK(runtime_option.out.find("but this is \"" + patched_id + "\" (" + patched + ")") != std::string::npos);

  // Without --runtime: a wrapper script named sbcl on PATH stands for the
  // runtime through $SBCL_HOME/sbcl.core; with no sbcl on PATH, /usr/bin/sbcl.
  fs::create_directories(dir.path() + "/bin");
  fs::create_directories(dir.path() + "/home");
  write_file(dir.path() + "/bin/sbcl", "#!/bin/sh\nexec /usr/bin/sbcl \"$@\"\n");
  fs::permissions(dir.path() + "/bin/sbcl", fs::perms::owner_all);
  fs::copy_file(patched, dir.path() + "/home/sbcl.core");
  Run wrapper = run("env", {"PATH=" + dir.path() + "/bin", "SBCL_HOME=" + dir.path() + "/home",
                            abitag_binary(), "sbcl", "--check", plain});
  CHECK(wrapper.exit_code == 1);
  CHECK(wrapper.out.find("but this is \"" + patched_id + "\" (" + dir.path() + "/home/sbcl.core)") !=
        std::string::npos);
  if (fs::exists("/usr/bin/sbcl")) {
    Run fallback = run("env", {"PATH=/nonexistent", abitag_binary(), "sbcl", "--check", patched});
    CHECK(fallback.exit_code == 1);
    CHECK(fallback.out.find("(/usr/bin/sbcl)") != std::string::npos);
  }
  fs::remove(dir.path() + "/home/sbcl.core");

  Run fine = abitag_sbcl({"--check", plain});
  CHECK(fine.exit_code == 0);
  CHECK(fine.out.empty());
  CHECK(run_image(plain, false, "(sb-ext:exit)").exit_code == 0);

  // An executable carries its runtime, so it passes; with its core's build id
  // changed, its own runtime refuses it, and --check says so.
  std::string exe = save_image(dir, "exe", {"ABITAG_EXECUTABLE=1"});
  CHECK(abitag_sbcl({"--check", exe}).exit_code == 0);
  std::string exe_bytes = read_file(exe);
  std::size_t core_at = exe_bytes.find(runtime_id, exe_bytes.size() - fs::file_size(plain));
  REQUIRE(core_at != std::string::npos);
  exe_bytes[core_at] = bytes[at];
  write_file(exe, exe_bytes);
  CHECK(first_line(abitag_sbcl({exe}).out) == patched_id);
  Run exe_refused = run_image(exe, true, "(sb-ext:exit)");
  CHECK(exe_refused.exit_code != 0);
  CHECK(exe_refused.err.find(message) != std::string::npos);
  Run exe_check = abitag_sbcl({"--check", exe});
  CHECK(exe_check.exit_code == 1);
  CHECK(exe_check.out == exe + ": " + message + " (its own runtime)\n");
  fs::remove(exe);

  // The whole-file hash of a full core, against sha256sum.
  Run hash = abitag_sbcl({"--field", "sha256", plain});
  CHECK(hash.out == run("sha256sum", {plain}).out.substr(0, 64) + "\n");
  nlohmann::json doc = describe(plain);
  CHECK(doc["sha256"] == hash.out.substr(0, 64));
  CHECK(doc["page_size_source"] == "page table");
  CHECK(doc["foreign_libraries"] == nlohmann::json::array());
}

TEST_CASE("sbcl: the saved foreign-library list is what the image reports, plain, zstd and executable", "[sbcl][runtime]") {
  require_sbcl();
  TempDir dir;
  std::string absolute = make_library(dir.path() + "/lib/libfpdemo.so");
  std::string non_ascii = make_library(dir.path() + "/dir\xc3\xa9/libuni.so"); // "diré"
  std::string dropped = make_library(dir.path() + "/lib/libdropped.so");
  std::vector<std::string> libraries = {"libz.so.1", absolute, non_ascii};
  std::string settings = "ABITAG_LIBS=libz.so.1\n" + absolute + "\n" + non_ascii;
  std::string dont_save = "ABITAG_DONT_SAVE=" + dropped;

  struct Variant {
    std::string name;
    std::vector<std::string> extra;
    bool executable;
    const char *compression;
  };
  for (const Variant &v : {Variant{"so.core", {}, false, "none"},
                           Variant{"so-z.core", {"ABITAG_COMPRESSION=1"}, false, "zstd"},
                           Variant{"so-exe", {"ABITAG_EXECUTABLE=1"}, true, "none"}}) {
    INFO(v.name);
    std::vector<std::string> all = {settings, dont_save};
    all.insert(all.end(), v.extra.begin(), v.extra.end());
    std::string image = save_image(dir, v.name, all);
    std::vector<std::string> reported = image_shared_objects(image, v.executable);
    CHECK(reported == libraries); // the :dont-save library is gone
    nlohmann::json doc = describe(image);
    CHECK(doc["foreign_libraries"].get<std::vector<std::string>>() == reported);
    CHECK(doc["kind"] == (v.executable ? "executable" : "core"));
    for (const auto &space : doc["spaces"])
      CHECK(space["compression"] == v.compression);
    if (v.executable)
      CHECK(doc["runtime_build_id"] == doc["build_id"]);
    CHECK(abitag_sbcl({"--check", image}).exit_code == 0);
    fs::remove(image); // keep the folder small
  }
}

TEST_CASE("sbcl: a missing library makes both the image and --check fail", "[sbcl][runtime]") {
  require_sbcl();
  TempDir dir;
  std::string absolute = make_library(dir.path() + "/lib/libfpdemo.so");
  std::string by_soname = make_library(dir.path() + "/private/libabitagonly.so");
  // libabitagonly.so is found at save time only through LD_LIBRARY_PATH, so
  // the dynamic linker's own search does not find it later.
  std::string core = save_image(dir, "so.core", {"ABITAG_LIBS=" + absolute + "\nlibabitagonly.so"},
                                {"LD_LIBRARY_PATH=" + dir.path() + "/private"});
  Run check = abitag_sbcl({"--check", core});
  CHECK(check.exit_code == 1);
  CHECK(check.out == core + ": foreign library \"libabitagonly.so\" is not found by the dynamic linker "
                            "(ld.so.cache, /etc/ld.so.conf, default directories)\n");
  Run image = run_image(core, false, "(sb-ext:exit)");
  CHECK(image.exit_code != 0);
  CHECK(image.err.find("Error opening shared object \"libabitagonly.so\"") != std::string::npos);

  // With the soname resolvable again, only the removed absolute path fails.
  core = save_image(dir, "abs.core", {"ABITAG_LIBS=" + absolute + "\nlibz.so.1"});
  CHECK(abitag_sbcl({"--check", core}).exit_code == 0);
  CHECK(run_image(core, false, "(sb-ext:exit)").exit_code == 0);
  fs::remove(absolute);
  image = run_image(core, false, "(sb-ext:exit)");
  CHECK(image.exit_code != 0);
  CHECK(image.err.find("Error opening shared object \"" + absolute + "\"") != std::string::npos);
  check = abitag_sbcl({"--check", core});
  CHECK(check.exit_code == 1);
  CHECK(check.out == core + ": foreign library \"" + absolute + "\" does not exist\n");
}

TEST_CASE("sbcl: a corrupt zstd stream is bad input, the header still gives the build id", "[sbcl][runtime]") {
  require_sbcl();
  TempDir dir;
  std::string core = save_image(dir, "z.core", {"ABITAG_COMPRESSION=1"});
  nlohmann::json doc = describe(core);
  std::uint64_t offset = 0;
  for (const auto &space : doc["spaces"])
    if (space["name"] == "dynamic")
      offset = space["file_offset"];
  REQUIRE(offset > 0);
  std::string bytes = read_file(core);
  for (std::size_t i = 64; i < 4096; ++i)
    bytes[offset + i] = static_cast<char>(0x5A ^ i);
  write_file(core, bytes);

  for (const char *mode : {"--json", "--check"}) {
    Run r = abitag_sbcl({mode, core});
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(lines(r.err).size() == 1);
    CHECK(r.err.rfind("abitag: " + core + ": corrupt zstd stream in space dynamic", 0) == 0);
  }
  CHECK(abitag_sbcl({core}).out == doc["build_id"].get<std::string>() + "\n");
}

TEST_CASE("sbcl: when the list cannot be followed, foreign_libraries is unknown with the reason", "[sbcl][runtime]") {
  require_sbcl();
  TempDir dir;
  std::string library = make_library(dir.path() + "/lib/libfpdemo.so");
  std::string core = save_image(dir, "so.core", {"ABITAG_LIBS=" + library});
  CHECK(describe(core)["foreign_libraries"] == nlohmann::json::array({library}));

  // Clear the header of every string object holding the path: the list's
  // element then has no namestring, and abitag must not guess one.
  std::string bytes = read_file(core);
  std::size_t cleared = 0;
  for (std::size_t at = bytes.find(library); at != std::string::npos; at = bytes.find(library, at + 1))
    if (at >= 16 && at % 16 == 0 && static_cast<unsigned char>(bytes[at - 16]) == 0xE1) {
      bytes[at - 16] = 0;
      ++cleared;
    }
  REQUIRE(cleared > 0);
  write_file(core, bytes);
  nlohmann::json doc = describe(core);
  CHECK(doc["foreign_libraries"] == "unknown");
  CHECK(doc["foreign_libraries_reason"] == "an element of *SHARED-OBJECTS* is not a shared-object with a namestring");
  Run check = abitag_sbcl({"--check", core});
  CHECK(check.exit_code == 0); // nothing certain to report
  CHECK(check.out.empty());
  CHECK(check.err.find(core + ": foreign libraries unknown: an element of *SHARED-OBJECTS*") == 0);
}
