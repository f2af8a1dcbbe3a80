// SPDX-License-Identifier: MIT
// How the perl analyzer shows perls and XS modules: their --json objects
// and their --explain lines.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "analyzers/perl/perl.h"

namespace abitag::perl {

struct XsModule {
  std::string path;   // as reported
  std::string inside; // its own path inside the root
  std::string host;   // its canonical host path
  std::string package; // Foo::Bar, or empty when not laid out for DynaLoader
  PerlElf elf;

  // What the module was built for: the API string it passes ("file"),
  // else the version its folder names ("folder"), else nothing ("none").
  std::string built_for() const;
  std::string evidence() const;
};

nlohmann::ordered_json perl_json(const Perl &perl);
nlohmann::ordered_json module_json(const XsModule &module);

std::string explain_perl(const Perl &perl);
std::string explain_module(const XsModule &module);

} // namespace abitag::perl
