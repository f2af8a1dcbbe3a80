// SPDX-License-Identifier: MIT
// `abitag kmod` on real Debian kernel modules (tests/fixtures/kmod, made by
// scripts/make-fixtures-kmod): every field against modinfo and modprobe
// --dump-modversions, the kernel's refusals of copies patched at test time
// (vermagic, a CRC, a symbol, a namespace, a licence, another kernel), the
// kernel tag, and bad input.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>

#include <llvm/Object/ELF.h>

#include "fingerprint/json_text.h"
#include "tests/kmod_support.h"
#include "tests/support.h"

using namespace abitag::test;
namespace fs = std::filesystem;

namespace {

const std::string kRelease61 = "6.1.0-57-cloud-amd64";
const std::string kRelease612 = "6.12.118+deb12-cloud-amd64";
const std::string kMagic61 = kRelease61 + " SMP preempt mod_unload modversions ";

std::string root61() { return fixture("kmod/root61"); }
std::string root612() { return fixture("kmod/root612"); }
std::string tree61() { return root61() + "/lib/modules/" + kRelease61; }
std::string uio_pci_generic() { return tree61() + "/kernel/drivers/uio/uio_pci_generic.ko"; }

Run kmod(const std::vector<std::string> &args) {
  std::vector<std::string> all{"kmod"};
  all.insert(all.end(), args.begin(), args.end());
  return run(abitag_binary(), all);
}

// --check against the 6.1 kernel of the fixture root.
Run check61(const std::vector<std::string> &modules) {
  std::vector<std::string> args{"--check", "--root", root61(), "--kernel", kRelease61};
  args.insert(args.end(), modules.begin(), modules.end());
  return kmod(args);
}

nlohmann::json json_of(const Run &r) { return must(abitag::parse_json_text(r.out)); }

// A copy of the module at SOURCE, written as NAME in DIR.
std::string write_copy(const TempDir &dir, const std::string &name, const std::string &bytes) {
  std::string path = dir.path() + "/" + name;
  write_file(path, bytes);
  return path;
}

std::vector<std::string> all_modules() {
  std::vector<std::string> out;
  for (const auto &entry : fs::recursive_directory_iterator(fixture("kmod")))
    if (entry.is_regular_file() && entry.path().string().find(".ko") != std::string::npos)
      out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// What kmod reads of PATH (modinfo cannot read gzip: it reads the plain file).
std::string kmod_readable(const std::string &path) {
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0)
    return path.substr(0, path.size() - 3);
  return path;
}

} // namespace

TEST_CASE("kmod: every .modinfo field, as modinfo reads it", "[kmod]") {
  require_tool("modinfo", "kmod");
  for (const std::string &path : all_modules()) {
    INFO(path);
    Run r = kmod({"--json", path});
    REQUIRE(r.exit_code == 0);
    nlohmann::json file = json_of(r)["files"][0];
    std::map<std::string, std::string> ours; // key -> values, one per line as modinfo -F prints them
    for (const auto &entry : file["modinfo"])
      ours[entry[0].get<std::string>()] += entry[1].get<std::string>() + "\n";
    REQUIRE(ours.count("vermagic"));
    for (const char *key : {"name", "vermagic", "depends", "srcversion", "license", "version", "intree"})
      CHECK(ours[key] == run("modinfo", {"-F", key, kmod_readable(path)}).out);
    for (const auto &[key, values] : ours)
      if (key != "parm" && key != "parmtype") // modinfo joins the two into one line per parameter
        CHECK(values == run("modinfo", {"-F", key, kmod_readable(path)}).out);
    CHECK(file["vermagic"].get<std::string>() + "\n" == run("modinfo", {"-F", "vermagic", kmod_readable(path)}).out);
  }
}

TEST_CASE("kmod: the CRC of every import, as modprobe --dump-modversions lists them", "[kmod]") {
  require_tool("modprobe", "kmod");
  for (const std::string &path : all_modules()) {
    INFO(path);
    Run r = kmod({"--json", path});
    REQUIRE(r.exit_code == 0);
    nlohmann::json file = json_of(r)["files"][0];
    std::string ours;
    for (const auto &version : file["versions"])
      ours += version["crc"].get<std::string>() + "\t" + version["name"].get<std::string>() + "\n";
    Run theirs = run("modprobe", {"--dump-modversions", kmod_readable(path)});
    REQUIRE(theirs.exit_code == 0);
    CHECK(!ours.empty());
    CHECK(ours == theirs.out);
  }
}

TEST_CASE("kmod: the exports of a module and their CRCs, as Module.symvers lists them", "[kmod]") {
  Run r = kmod({"--json", tree61() + "/kernel/drivers/uio/uio.ko"});
  REQUIRE(r.exit_code == 0);
  std::string symvers = read_file(root61() + "/usr/src/linux-headers-" + kRelease61 + "/Module.symvers");
  nlohmann::json exports = json_of(r)["files"][0]["exports"];
  CHECK(exports.size() == 4);
  for (const auto &symbol : exports) {
    INFO(symbol.dump());
    CHECK(symbol["gpl_only"] == true);
    CHECK(symvers.find(symbol["crc"].get<std::string>() + "\t" + symbol["name"].get<std::string>() +
                       "\tdrivers/uio/uio\tEXPORT_SYMBOL_GPL\t\n") != std::string::npos);
  }
}

TEST_CASE("kmod: the kernel accepts its own modules and the module built against its headers", "[kmod][check]") {
  Run r = kmod({"--check", "--root", root61(), tree61()});
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  // The default kernel of an installed module is the one it is installed for.
  Run hello = kmod({"--check", "--root", root61(), tree61() + "/updates/dkms/hello.ko"});
  CHECK(hello.exit_code == 0);
  CHECK(hello.out.empty());
  Run compressed = check61({fixture("kmod/modules/uio_pci_generic.ko.xz"), fixture("kmod/modules/uio_pci_generic.ko.zst"),
                            fixture("kmod/modules/uio_pci_generic.ko.gz")});
  CHECK(compressed.exit_code == 0);
  CHECK(compressed.out.empty());
  Run the612 = kmod({"--check", "--root", root612(), root612() + "/lib/modules"});
  CHECK(the612.exit_code == 0);
  CHECK(the612.out.empty());
}

TEST_CASE("kmod: a changed vermagic is refused in the kernel's words, a changed release is not", "[kmod][check]") {
  TempDir dir;
  std::string bytes = read_file(uio_pci_generic());
  std::string flag = write_copy(dir, "flag.ko", patched(bytes, "mod_unload", "mod_unlXad"));
  std::string release = write_copy(dir, "release.ko", patched(bytes, "vermagic=6.1.0-57", "vermagic=6.1.0-99"));
  Run r = check61({flag, release});
  CHECK(r.exit_code == 1);
  CHECK(r.out == flag + ": uio_pci_generic: version magic '" + kRelease61 +
                     " SMP preempt mod_unlXad modversions ' should be '" + kMagic61 + "'\n");
}

TEST_CASE("kmod: a changed CRC is refused in the kernel's words", "[kmod][check]") {
  TempDir dir;
  std::string bytes = read_file(uio_pci_generic());
  std::string symbol = write_copy(dir, "crc.ko", with_crc_flipped(bytes, "__devm_uio_register_device"));
  std::string layout = write_copy(dir, "layout.ko", with_crc_flipped(bytes, "module_layout"));
  Run r = check61({symbol, layout, uio_pci_generic()});
  CHECK(r.exit_code == 1);
  CHECK(r.out == symbol + ": uio_pci_generic: disagrees about version of symbol __devm_uio_register_device\n" + symbol +
                     ": uio_pci_generic: Unknown symbol __devm_uio_register_device (err -22)\n" + layout +
                     ": uio_pci_generic: disagrees about version of symbol module_layout\n");
}

TEST_CASE("kmod: an import nobody exports, a namespace not imported, a GPL-only export to another licence, "
          "another machine",
          "[kmod][check]") {
  TempDir dir;
  std::string unknown = write_copy(dir, "unknown.ko", patched(read_file(uio_pci_generic()), "__devm_uio_register_device",
                                                              "__devm_uio_register_devicX"));
  std::string ofb = write_copy(dir, "ofb.ko", patched(read_file(tree61() + "/kernel/crypto/ofb.ko"),
                                                      "import_ns=CRYPTO_INTERNAL", "import_ns=CRYPTO_INTERNAX"));
  std::string licence = write_copy(dir, "licence.ko", patched(read_file(tree61() + "/updates/dkms/hello.ko"),
                                                              "license=GPL", "license=BSD"));
  // EM_AARCH64 (183) in e_machine, little-endian at offset 18.
  std::string arm = read_file(uio_pci_generic());
  arm[18] = static_cast<char>(183);
  arm[19] = 0;
  std::string machine = write_copy(dir, "machine.ko", arm);
  Run r = check61({unknown, ofb, licence, machine});
  CHECK(r.exit_code == 1);
  CHECK(r.out == unknown + ": uio_pci_generic: Unknown symbol __devm_uio_register_devicX (err -2)\n" + ofb +
                     ": ofb: module uses symbol (crypto_cipher_encrypt_one) from namespace CRYPTO_INTERNAL, but "
                     "does not import it.\n" +
                     ofb + ": ofb: Unknown symbol crypto_cipher_encrypt_one (err -22)\n" + licence +
                     ": hello: Unknown symbol ktime_get (err -2)\n" + machine +
                     ": Invalid architecture in ELF header: 183\n");
}

TEST_CASE("kmod: a module of another kernel: module_layout on 6.1, the struct module size on 6.12", "[kmod][check]") {
  Run on61 = check61({fixture("kmod/modules/uio-6.12.ko.xz")});
  CHECK(on61.exit_code == 1);
  CHECK(on61.out == fixture("kmod/modules/uio-6.12.ko.xz") + ": uio: disagrees about version of symbol module_layout\n");
  Run on612 = kmod({"--check", "--root", root612(), "--kernel", kRelease612, uio_pci_generic()});
  CHECK(on612.exit_code == 1);
  CHECK(on612.out == uio_pci_generic() +
                         ": module uio_pci_generic: .gnu.linkonce.this_module section size must match the kernel's "
                         "built struct module size at run time\n");
  nlohmann::json document = json_of(kmod({"--check", "--json", "--root", root612(), "--kernel", kRelease612, uio_pci_generic()}));
  CHECK(document["files"][0]["refusals"][0]["kind"] == "struct-module-size");
  CHECK(document["kernels"][0]["this_module_size"] == 0x500);
}

TEST_CASE("kmod: the kernel's tag follows its exported CRCs, not their order or owners", "[kmod][tag]") {
  Run kernel = kmod({root61()});
  REQUIRE(kernel.exit_code == 0);
  CHECK(kernel.out.rfind(kRelease61 + " SMP preempt mod_unload modversions exports-sha256:", 0) == 0);
  CHECK(kernel.out.size() == (kRelease61 + " SMP preempt mod_unload modversions exports-sha256:").size() + 64 + 1);

  TempDir dir;
  fs::copy(root61(), dir.path() + "/root", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  std::string symvers = dir.path() + "/root/usr/src/linux-headers-" + kRelease61 + "/Module.symvers";
  std::string original = read_file(symvers);
  // A rebuild that keeps the interface: the lines in another order, a symbol moved into a module.
  std::istringstream in(original);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  std::reverse(lines.begin(), lines.end());
  std::string reordered;
  for (const std::string &line : lines)
    reordered += line + "\n";
  write_file(symvers, patched(reordered, "\t_printk\tvmlinux\t", "\t_printk\tdrivers\t"));
  CHECK(kmod({dir.path() + "/root"}).out == kernel.out);
  // One that changes a CRC.
  write_file(symvers, patched(original, "\t_printk\t", "\t_printK\t"));
  Run changed = kmod({dir.path() + "/root"});
  CHECK(changed.exit_code == 0);
  CHECK(changed.out != kernel.out);
  CHECK(changed.out.rfind(kRelease61 + " SMP preempt mod_unload modversions exports-sha256:", 0) == 0);
}

TEST_CASE("kmod: an out-of-tree module's value is the kernel it was built for", "[kmod][tag]") {
  Run r = kmod({tree61() + "/updates"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == kRelease61 + " SMP preempt mod_unload modversions\n");
}

TEST_CASE("kmod: bad input gets one line and exit 3", "[kmod][errors]") {
  TempDir dir;
  std::string bytes = read_file(uio_pci_generic());
  SectionPlace modinfo = section_place(bytes, ".modinfo");
  std::string cut = bytes;
  cut[modinfo.offset + modinfo.size - 1] = 'x';
  std::string truncated = write_copy(dir, "truncated.ko", cut);

  SectionPlace versions = section_place(bytes, "__versions");
  std::string odd = bytes;
  for (std::size_t i = 0; i < 8; ++i) // sh_size, little-endian
    odd[versions.size_field + i] = static_cast<char>(((versions.size - 1) >> (8 * i)) & 0xff);
  std::string uneven = write_copy(dir, "uneven.ko", odd);

  std::string xz = read_file(fixture("kmod/modules/uio_pci_generic.ko.xz"));
  xz[xz.size() / 2] = static_cast<char>(xz[xz.size() / 2] ^ 0x55);
  std::string corrupt = write_copy(dir, "corrupt.ko.xz", xz);

  std::map<std::string, std::string> expected = {
      {truncated, "truncated .modinfo: its last entry"},
      {uneven, "__versions holds " + std::to_string(versions.size - 1) + " bytes, not a whole number of 64-byte records"},
      {corrupt, "corrupt xz stream"}};
  for (const auto &[path, reason] : expected) {
    for (const std::vector<std::string> &args : {std::vector<std::string>{path}, {"--check", "--root", root61(), "--kernel", kRelease61, path}}) {
      Run r = kmod(args);
      INFO(r.err);
      CHECK(r.exit_code == 3);
      CHECK(r.out.empty());
      CHECK(r.err.rfind("abitag: " + path + ": " + reason, 0) == 0);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
  }
}

TEST_CASE("kmod: the extended version sections replace __versions when present", "[kmod][check]") {
  require_tool("objcopy", "binutils");
  TempDir dir;
  // Every import of uio_pci_generic with the CRC __versions has, but one
  // changed: the kernel then goes by the extended sections alone.
  Run dump = run(abitag_binary(), {"kmod", "--json", uio_pci_generic()});
  REQUIRE(dump.exit_code == 0);
  const nlohmann::json versions = json_of(dump)["files"][0]["versions"];
  REQUIRE(versions.size() == 12);
  auto add_extended = [&](const std::string &name, const std::string &changed, const std::string &source) {
    std::string crcs, names;
    for (const auto &version : versions) {
      auto crc = static_cast<std::uint32_t>(std::stoul(version["crc"].get<std::string>(), nullptr, 16));
      if (version["name"] == changed)
        crc ^= 1;
      for (int i = 0; i < 4; ++i)
        crcs += static_cast<char>((crc >> (8 * i)) & 0xff);
      names += version["name"].get<std::string>() + std::string(1, '\0');
    }
    write_file(dir.path() + "/crcs", crcs);
    write_file(dir.path() + "/names", names);
    std::string out = dir.path() + "/" + name;
    Run r = run("objcopy", {"--add-section", "__version_ext_crcs=" + dir.path() + "/crcs", "--set-section-flags",
                            "__version_ext_crcs=alloc,load,readonly,contents", "--add-section",
                            "__version_ext_names=" + dir.path() + "/names", "--set-section-flags",
                            "__version_ext_names=alloc,load,readonly,contents", source, out});
    REQUIRE(r.exit_code == 0);
    return out;
  };
  std::string changed = add_extended("changed.ko", "pci_clear_master", uio_pci_generic());
  std::string stale_basic = write_copy(dir, "stale.ko", with_crc_flipped(read_file(uio_pci_generic()), "pci_clear_master"));
  std::string rescued = add_extended("rescued.ko", "", stale_basic);
  Run r = check61({changed, rescued});
  CHECK(r.exit_code == 1);
  CHECK(r.out == changed + ": uio_pci_generic: disagrees about version of symbol pci_clear_master\n" + changed +
                     ": uio_pci_generic: Unknown symbol pci_clear_master (err -22)\n");
  nlohmann::json file = json_of(kmod({"--json", changed}))["files"][0];
  CHECK(file["has_extended_versions"] == true);
  CHECK(file["extended_versions"].size() == file["versions"].size());
}

TEST_CASE("kmod: --kernel as a build tree or a Module.symvers, modules checked together, and a kernel without one",
          "[kmod][check]") {
  std::string headers = root61() + "/usr/src/linux-headers-" + kRelease61;
  TempDir dir;
  std::string crc = write_copy(dir, "crc.ko", with_crc_flipped(read_file(uio_pci_generic()), "pci_clear_master"));
  for (const std::string &kernel : {headers, headers + "/Module.symvers"}) {
    Run r = kmod({"--check", "--explain", "--kernel", kernel, crc, uio_pci_generic()});
    CHECK(r.exit_code == 1);
    CHECK(r.out == crc + ": uio_pci_generic: disagrees about version of symbol pci_clear_master\n" + crc +
                       ": uio_pci_generic: Unknown symbol pci_clear_master (err -22)\n");
    CHECK(r.err.find("vermagic not compared") != std::string::npos);
  }
  // Modules checked together may import from each other: uio_pci_generic
  // from uio, against vmlinux's exports alone.
  std::string vmlinux_only;
  std::istringstream symvers(read_file(headers + "/Module.symvers"));
  for (std::string line; std::getline(symvers, line);)
    if (line.find("\tvmlinux\t") != std::string::npos)
      vmlinux_only += line + "\n";
  write_file(dir.path() + "/vmlinux.symvers", vmlinux_only);
  Run alone = kmod({"--check", "--kernel", dir.path() + "/vmlinux.symvers", uio_pci_generic()});
  CHECK(alone.exit_code == 1);
  CHECK(alone.out == uio_pci_generic() + ": uio_pci_generic: Unknown symbol __devm_uio_register_device (err -2)\n");
  Run together = kmod({"--check", "--kernel", dir.path() + "/vmlinux.symvers", uio_pci_generic(),
                       tree61() + "/kernel/drivers/uio/uio.ko"});
  CHECK(together.exit_code == 0);
  CHECK(together.out.empty());
  // Without Module.symvers the exports of vmlinux are unknown: no verdict.
  fs::create_directories(dir.path() + "/root");
  fs::copy(root61() + "/lib", dir.path() + "/root/lib", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  Run r = kmod({"--check", "--root", dir.path() + "/root", "--kernel", kRelease61, uio_pci_generic()});
  CHECK(r.exit_code == 4);
  CHECK(r.out.empty());
  CHECK(r.err.find("no Module.symvers") != std::string::npos);
}

TEST_CASE("kmod: a kernel image's exports, as its Module.symvers lists vmlinux's", "[kmod][image]") {
  // expected-images.tsv: release, exports, GPL-only, in a namespace (from the full Module.symvers).
  std::istringstream expected(read_file(fixture("kmod/expected-images.tsv")));
  std::map<std::string, std::string> compression = {{kRelease61, "lz4"}, {kRelease612, "zstd"}};
  int images = 0;
  for (std::string release, exports, gpl, spaced; expected >> release >> exports >> gpl >> spaced; ++images) {
    std::string root = release == kRelease61 ? root61() : root612();
    Run r = kmod({"--json", root + "/boot/vmlinuz-" + release});
    REQUIRE(r.exit_code == 0);
    nlohmann::json image = json_of(r)["files"][0];
    CHECK(image["kind"] == "kernel-image");
    CHECK(image["release"] == release);
    CHECK(image["compression"] == compression[release]);
    CHECK(image["exports"] == std::stoul(exports));
    CHECK(image["gpl_only_exports"] == std::stoul(gpl));
    CHECK(image["exports_in_namespaces"] == std::stoul(spaced));
  }
  CHECK(images == 2);
}

TEST_CASE("kmod: a kernel with its image and no Module.symvers decides the same", "[kmod][image]") {
  TempDir dir;
  fs::create_directories(dir.path() + "/root");
  for (const char *part : {"/lib", "/boot"})
    fs::copy(root61() + part, dir.path() + "/root" + part, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  std::string crc = write_copy(dir, "crc.ko", with_crc_flipped(read_file(uio_pci_generic()), "pci_clear_master"));
  std::string ofb = write_copy(dir, "ofb.ko", patched(read_file(tree61() + "/kernel/crypto/ofb.ko"),
                                                      "import_ns=CRYPTO_INTERNAL", "import_ns=CRYPTO_INTERNAX"));
  for (const std::string &root : {root61(), dir.path() + "/root"}) {
    INFO(root);
    Run accepted = kmod({"--check", "--root", root, root + "/lib/modules"});
    CHECK(accepted.exit_code == 0);
    CHECK(accepted.out.empty());
    Run refused = kmod({"--check", "--root", root, "--kernel", kRelease61, crc, ofb});
    CHECK(refused.exit_code == 1);
    CHECK(refused.out == crc + ": uio_pci_generic: disagrees about version of symbol pci_clear_master\n" + crc +
                             ": uio_pci_generic: Unknown symbol pci_clear_master (err -22)\n" + ofb +
                             ": ofb: module uses symbol (crypto_cipher_encrypt_one) from namespace CRYPTO_INTERNAL, "
                             "but does not import it.\n" +
                             ofb + ": ofb: Unknown symbol crypto_cipher_encrypt_one (err -22)\n");
  }
}

TEST_CASE("kmod: the namespaces of a module's exports, from its relocations", "[kmod]") {
  Run r = kmod({"--json", tree61() + "/kernel/drivers/thermal/intel/int340x_thermal/processor_thermal_mbox.ko"});
  REQUIRE(r.exit_code == 0);
  std::string symvers = read_file(root61() + "/usr/src/linux-headers-" + kRelease61 + "/Module.symvers");
  nlohmann::json exports = json_of(r)["files"][0]["exports"];
  CHECK(exports.size() == 4);
  int in_namespace = 0;
  for (const auto &symbol : exports) {
    INFO(symbol.dump());
    in_namespace += symbol["namespace"] == "INT340X_THERMAL";
    CHECK(symvers.find(symbol["crc"].get<std::string>() + "\t" + symbol["name"].get<std::string>() +
                       "\tdrivers/thermal/intel/int340x_thermal/processor_thermal_mbox\tEXPORT_SYMBOL_GPL\t" +
                       symbol["namespace"].get<std::string>() + "\n") != std::string::npos);
  }
  CHECK(in_namespace == 2);
  // Held in a variable: a range-for over a member of a temporary would read freed memory.
  nlohmann::json uio = json_of(kmod({"--json", tree61() + "/kernel/drivers/uio/uio.ko"}));
  for (const auto &symbol : uio["files"][0]["exports"])
    CHECK(symbol["namespace"] == "");
}

TEST_CASE("kmod: a module package locked on its kernel goes stale when the kernel's exports change",
          "[kmod][tag]") {
  TempDir dir;
  std::string db = dir.path() + "/tags.db";
  fs::create_directories(dir.path() + "/root");
  fs::copy(root61(), dir.path() + "/root", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  // Its exports from its Module.symvers: the image, which would count first, is left out.
  fs::remove(dir.path() + "/root/boot/vmlinuz-" + kRelease61);
  auto abitag = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--db", db});
    return run(abitag_binary(), args);
  };
  REQUIRE(abitag({"tag", "sys-kernel/linux:6.1", "kmod", dir.path() + "/root"}).exit_code == 0);
  REQUIRE(abitag({"lock", "sys-fs/hello-dkms:0", "sys-kernel/linux:6.1", "kmod"}).exit_code == 0);
  Run fresh = abitag({"check", "--format", "lines"});
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.out.empty());
  // The kernel rebuilt under the same release, one export's CRC changed.
  std::string symvers = dir.path() + "/root/usr/src/linux-headers-" + kRelease61 + "/Module.symvers";
  std::string text = read_file(symvers);
  std::size_t at = text.find("\t_printk\t");
  REQUIRE(at != std::string::npos);
  text[at - 1] = text[at - 1] == '0' ? '1' : '0'; // the last hex digit of its CRC
  write_file(symvers, text);
  REQUIRE(abitag({"tag", "sys-kernel/linux:6.1", "kmod", dir.path() + "/root"}).exit_code == 0);
  Run stale = abitag({"check", "--format", "lines"});
  CHECK(stale.exit_code == 1);
  CHECK(stale.out == "sys-fs/hello-dkms:0\n");
}
