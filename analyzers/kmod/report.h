// SPDX-License-Identifier: MIT
// What `abitag kmod` found in one run, and what --json and --explain show
// of it: the analysis fills the structs, these functions render them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/kmod/kernel_image.h"
#include "analyzers/kmod/kmod.h"
#include "analyzers/kmod/module_reader.h"

namespace abitag::kmod {

std::string crc_text(std::uint64_t crc); // "0x%08x", as modprobe --dump-modversions prints it

nlohmann::ordered_json module_json(const Module &module);
nlohmann::ordered_json kernel_json(const Kernel &kernel);
nlohmann::ordered_json image_json(const KernelImage &image, const std::string &path);
nlohmann::ordered_json check_json(const CheckResult &result);

// One line for --explain.
std::string describe_module(const Module &module);

// One input file and what it holds.
struct Read {
  std::string path;
  KmodFile file;
  std::string error;
  bool named = false;
};

// A run without --check: the files, and the kernel they make when they
// make one (its Module.symvers, image or in-tree modules).
struct Description {
  std::string value;
  std::optional<Kernel> kernel;
  std::size_t other_files = 0;
};
nlohmann::ordered_json description_json(const std::vector<Read> &reads, const Description &description);
std::vector<std::string> description_explanation(const std::vector<Read> &reads, const Description &description);

// --check: each module with the kernel it was checked against.
struct CheckedModule {
  const Read *read = nullptr;
  const Kernel *kernel = nullptr;
  CheckResult result;
};
struct CheckRun {
  std::vector<CheckedModule> modules;
  std::vector<const Kernel *> kernels; // each once
};
std::vector<std::string> refusal_lines(const CheckRun &run); // the value: the kernel's own words
nlohmann::ordered_json check_run_json(const CheckRun &run, const std::string &value);
std::vector<std::string> check_explanation(const CheckRun &run);

} // namespace abitag::kmod
