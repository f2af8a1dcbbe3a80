// SPDX-License-Identifier: MIT
// What `abitag kmod` reads of a file: decompression (xz, zstd, gzip, lz4),
// the module's ELF sections (.modinfo, __versions, the extended version
// sections, exports and their namespaces' relocations,
// .gnu.linkonce.this_module), a Module.symvers, or a kernel image (its boot
// header, the vmlinux inside and its export tables); then the
// loader's decision for the module against a kernel made of its own
// exports, the kernel tag, and that what --json prints of them, under a file
// name made of the input's bytes, is JSON that reads back the same.
#include "analyzers/kmod/kmod.h"
#include "analyzers/kmod/module_reader.h"
#include "analyzers/kmod/report.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

namespace {

void check_module(const kmod::Module &module) {
  fuzz::check_json_round_trip(kmod::module_json(module));
  kmod::Kernel kernel;
  kernel.release = "6.4.0-fuzz";
  kernel.vermagic = module.info("vermagic");
  kernel.this_module_size = module.this_module_size;
  kmod::add_exports(kernel, module.exports);
  kmod::add_exports(kernel, {{"module_layout", 0x1234, false, "", "vmlinux"}});
  fuzz::check_json_round_trip(kmod::check_json(kmod::check_module(module, kernel)));
  fuzz::check_json_round_trip(kmod::kernel_json(kernel));
  (void)kmod::describe_module(module);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  llvm::Expected<kmod::KmodFile> file = kmod::read_kmod_file(fuzz::bytes(data, size), fuzz::name_from(data, size));
  if (!file) {
    to_message(file.takeError());
    return 0;
  }
  if (file->module)
    check_module(*file->module);
  if (file->image) {
    fuzz::check_json_round_trip(kmod::image_json(*file->image, fuzz::name_from(data, size)));
    kmod::Kernel kernel;
    kmod::add_exports(kernel, file->image->exports);
    (void)kmod::kernel_tag(kernel);
  }
  if (file->symvers) {
    kmod::Kernel kernel;
    kmod::add_exports(kernel, *file->symvers);
    (void)kmod::kernel_tag(kernel);
    fuzz::check_json_round_trip(kmod::kernel_json(kernel));
  }
  return 0;
}
