// SPDX-License-Identifier: MIT
// What `abitag kmod --json` prints of a module and of a kernel.
#pragma once

#include <nlohmann/json.hpp>

#include "analyzers/kmod/kernel_image.h"
#include "analyzers/kmod/kmod.h"

namespace abitag::kmod {

std::string crc_text(std::uint64_t crc); // "0x%08x", as modprobe --dump-modversions prints it

nlohmann::ordered_json module_json(const Module &module);
nlohmann::ordered_json kernel_json(const Kernel &kernel);
nlohmann::ordered_json image_json(const KernelImage &image, const std::string &path);
nlohmann::ordered_json check_json(const CheckResult &result);

// One line for --explain.
std::string describe_module(const Module &module);

} // namespace abitag::kmod
