// SPDX-License-Identifier: MIT
// The audit's SBCL section on roots laid out like systems: real cores saved
// at test time with the installed sbcl (about 40 MB each, in a temporary
// folder), held to what the real runtime does with them, and the committed
// stubs where the header page suffices.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "tests/sbcl_support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

nlohmann::json audit_json(const std::string &root, int expected_exit) {
  Run r = run(abitag_binary(), {"audit", root, "--only", "sbcl", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == expected_exit);
  return nlohmann::json::parse(r.out);
}

// Findings of the sbcl section as FILE -> KIND, one per file and kind.
std::multimap<std::string, std::string> kinds(const nlohmann::json &doc) {
  std::multimap<std::string, std::string> out;
  for (const auto &f : doc["findings"]) {
    CHECK(f["section"] == "sbcl");
    out.emplace(f["file"].get<std::string>(), f["kind"].get<std::string>());
  }
  return out;
}

const nlohmann::json *finding(const nlohmann::json &doc, const std::string &file, const std::string &kind) {
  for (const auto &f : doc["findings"])
    if (f["file"] == file && f["kind"] == kind)
      return &f;
  return nullptr;
}

// An `sbcl` at ROOT/usr/bin that is a wrapper script, standing for the
// runtime through ROOT/usr/lib/sbcl/sbcl.core, copied from CORE.
void install_wrapper(const std::string &root, const std::string &core) {
  fs::create_directories(root + "/usr/bin");
  fs::create_directories(root + "/usr/lib/sbcl");
  write_file(root + "/usr/bin/sbcl", "#!/bin/sh\nexec /usr/lib/sbcl/sbcl-runtime \"$@\"\n");
  fs::permissions(root + "/usr/bin/sbcl", fs::perms::owner_all);
  fs::copy_file(core, root + "/usr/lib/sbcl/sbcl.core");
}

} // namespace

TEST_CASE("audit sbcl: a core the runtime under ROOT refuses and one whose library is gone from ROOT are broken now, "
          "as the real sbcl finds", "[audit][sbcl][runtime]") {
  require_sbcl();
  TempDir dir;
  std::string root = dir.path() + "/root";
  fs::create_directories(root + "/usr/bin");
  fs::create_directories(root + "/opt/app");
  fs::copy_file(sbcl_runtime_path(), root + "/usr/bin/sbcl");
  std::string runtime_id = first_line(run(abitag_binary(), {"sbcl", root + "/usr/bin/sbcl"}).out);
  REQUIRE(!runtime_id.empty());

  // Libraries recorded by absolute path on this machine; only one of them
  // is also inside ROOT, at the same path.
  std::string kept = make_library(dir.path() + "/kept/libkept.so");
  std::string gone = make_library(dir.path() + "/gone/libgone.so");
  fs::create_directories(root + fs::path(kept).parent_path().string());
  fs::copy_file(kept, root + kept);
  std::string plain = save_image(dir, "root/opt/app/plain.core", {});
  save_image(dir, "root/opt/app/kept.core", {"ABITAG_LIBS=" + kept});
  std::string gone_core = save_image(dir, "root/opt/app/gone.core", {"ABITAG_LIBS=" + gone});

  // The build id changed by one byte, as a rebuilt SBCL would differ.
  std::string bytes = read_file(plain);
  std::size_t at = bytes.find(runtime_id);
  REQUIRE(at < 32768);
  bytes[at] = 'X';
  std::string patched = root + "/opt/app/patched.core";
  write_file(patched, bytes);
  std::string patched_id = bytes.substr(at, runtime_id.size());
  std::string message = "core was built for runtime \"" + patched_id + "\" but this is \"" + runtime_id + "\"";

  nlohmann::json doc = audit_json(root, 1);
  std::multimap<std::string, std::string> expected = {{"/opt/app/patched.core", "build-id-mismatch"},
                                                      {"/opt/app/gone.core", "missing-foreign-library"}};
  CHECK(kinds(doc) == expected);
  const nlohmann::json *mismatch = finding(doc, "/opt/app/patched.core", "build-id-mismatch");
  REQUIRE(mismatch);
  CHECK((*mismatch)["severity"] == "broken-now");
  CHECK((*mismatch)["reason"] == message + " (/usr/bin/sbcl)");
  CHECK((*mismatch)["rebuild"] == nlohmann::json::array({"/opt/app/patched.core"}));
  const nlohmann::json *missing = finding(doc, "/opt/app/gone.core", "missing-foreign-library");
  REQUIRE(missing);
  CHECK((*missing)["severity"] == "broken-now");
  CHECK((*missing)["details"]["library"] == gone);
  CHECK((*missing)["reason"] == "foreign library \"" + gone + "\" does not exist");
  const nlohmann::json &summary = doc["sections"]["sbcl"];
  CHECK(summary["cores"] == 4);
  CHECK(summary["executables"] == 0);
  CHECK(summary["broken"] == 2);
  CHECK(summary["runtime"]["path"] == "/usr/bin/sbcl");
  CHECK(summary["runtime"]["build_id"] == runtime_id);

  // `sbcl --check --root` says the same; without --root, this machine's
  // libgone.so is there and the host's runtime is the judge.
  Run check_gone = run(abitag_binary(), {"sbcl", "--check", "--root", root, gone_core});
  CHECK(check_gone.exit_code == 1);
  CHECK(check_gone.out == gone_core + ": foreign library \"" + gone + "\" does not exist\n");
  CHECK(run(abitag_binary(), {"sbcl", "--check", gone_core}).exit_code == 0);
  Run check_patched = run(abitag_binary(), {"sbcl", "--check", "--root", root, patched});
  CHECK(check_patched.exit_code == 1);
  CHECK(check_patched.out == patched + ": " + message + " (/usr/bin/sbcl)\n");

  // The real runtime: it refuses the patched core with the same words, and
  // the core whose library is gone fails to start once the file is gone here too.
  Run refused = run_image(patched, false, "(sb-ext:exit)");
  CHECK(refused.exit_code != 0);
  CHECK(refused.err.find(message) != std::string::npos);
  CHECK(run_image(gone_core, false, "(sb-ext:exit)").exit_code == 0);
  fs::remove(gone);
  Run failed = run_image(gone_core, false, "(sb-ext:exit)");
  CHECK(failed.exit_code != 0);
  CHECK(failed.err.find("Error opening shared object \"" + gone + "\"") != std::string::npos);
  CHECK(run_image(root + "/opt/app/kept.core", false, "(sb-ext:exit)").exit_code == 0);
  CHECK(run_image(plain, false, "(sb-ext:exit)").exit_code == 0);
}

TEST_CASE("audit sbcl: a clean root reports nothing, and without its runtime, a core cannot start", "[audit][sbcl][runtime]") {
  require_sbcl();
  TempDir dir;
  std::string root = dir.path() + "/root";
  fs::create_directories(root + "/opt/app");
  // `sbcl` is a wrapper: its sbcl.core stands for the runtime, as SBCL finds it.
  std::string core = save_image(dir, "plain.core", {});
  install_wrapper(root, core);
  fs::remove(core);
  std::string exe = save_image(dir, "root/opt/app/exe", {"ABITAG_EXECUTABLE=1"});

  nlohmann::json doc = audit_json(root, 0);
  CHECK(doc["findings"].empty());
  CHECK(doc["sections"]["sbcl"]["cores"] == 1); // sbcl.core itself, which matches
  CHECK(doc["sections"]["sbcl"]["executables"] == 1);
  CHECK(doc["sections"]["sbcl"]["runtime"]["path"] == "/usr/lib/sbcl/sbcl.core");
  // The whole audit: the executable is found by its trailer from what the
  // ELF scan of the other sections read, not by opening it again.
  Run all = run(abitag_binary(), {"audit", root, "--json"});
  CHECK(nlohmann::json::parse(all.out)["sections"]["sbcl"] == doc["sections"]["sbcl"]);
  Run text = run(abitag_binary(), {"audit", root, "--only", "sbcl"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("BROKEN NOW") == std::string::npos);
  CHECK(text.out.find("sbcl: 1 cores, 1 executables, 0 damaged, 0 that would not start; runtime: "
                      "/usr/lib/sbcl/sbcl.core (build id ") != std::string::npos);
  CHECK(run_image(exe, true, "(sb-ext:exit)").exit_code == 0);

  // No sbcl under ROOT (this machine's does not count): the core has nothing
  // to start it; the executable carries its own runtime.
  fs::remove(root + "/usr/bin/sbcl");
  doc = audit_json(root, 1);
  std::multimap<std::string, std::string> expected = {{"/usr/lib/sbcl/sbcl.core", "no-runtime"}};
  CHECK(kinds(doc) == expected);
  CHECK(doc["sections"]["sbcl"]["runtime"].is_null());
  Run check = run(abitag_binary(), {"sbcl", "--check", "--root", root, root + "/usr/lib/sbcl/sbcl.core"});
  CHECK(check.exit_code == 4);
  CHECK(check.err.find("no SBCL runtime found") != std::string::npos);
}

TEST_CASE("audit sbcl: a stub core is damaged, and its build id is still held to the runtime's", "[audit][sbcl]") {
  TempDir dir;
  std::string root = dir.path();
  install_wrapper(root, fixture("sbcl/plain.stub.core"));
  fs::create_directories(root + "/srv");
  fs::copy_file(fixture("sbcl/patched.stub.core"), root + "/srv/patched.core");
  write_file(root + "/srv/notes.txt", "SBCL is mentioned here, but this is no core\n");

  nlohmann::json doc = audit_json(root, 1);
  std::multimap<std::string, std::string> expected = {{"/srv/patched.core", "build-id-mismatch"},
                                                      {"/srv/patched.core", "damaged-core"},
                                                      {"/usr/lib/sbcl/sbcl.core", "damaged-core"}};
  CHECK(kinds(doc) == expected);
  const nlohmann::json *damaged = finding(doc, "/usr/lib/sbcl/sbcl.core", "damaged-core");
  REQUIRE(damaged);
  CHECK((*damaged)["severity"] == "at-risk");
  const nlohmann::json *mismatch = finding(doc, "/srv/patched.core", "build-id-mismatch");
  REQUIRE(mismatch);
  // The ids the real runtime printed when it refused this core (expected.tsv).
  CHECK((*mismatch)["reason"] == "core was built for runtime \"X86-ubc-01-buildd-2022-10-05-17-50-07\" but this "
                                 "is \"x86-ubc-01-buildd-2022-10-05-17-50-07\" (/usr/lib/sbcl/sbcl.core)");
  CHECK(doc["sections"]["sbcl"]["damaged"] == 2);
  CHECK(doc["sections"]["sbcl"]["cores"] == 2);
}
