// SPDX-License-Identifier: MIT
// The analyzers built into abitag: one registration line each (HACKING.md
// lists the other places a new analyzer touches).
#include "analyzers/registry.h"

#include "analyzers/cxxabi/cxxabi.h"
#include "analyzers/ghc/ghc.h"
#include "analyzers/inputs/inputs.h"
#include "analyzers/kmod/kmod.h"
#include "analyzers/ocaml/ocaml.h"
#include "analyzers/perl/perl.h"
#include "analyzers/python/python.h"
#include "analyzers/qt/qt.h"
#include "analyzers/sbcl/sbcl.h"

namespace abitag {

Registry &builtin_registry() {
  static Registry registry = [] {
    Registry r;
    cxxabi::register_analyzer(r);
    ghc::register_analyzer(r);
    inputs::register_analyzer(r);
    kmod::register_analyzer(r);
    ocaml::register_analyzer(r);
    perl::register_analyzer(r);
    python::register_analyzer(r);
    qt::register_analyzer(r);
    sbcl::register_analyzer(r);
    return r;
  }();
  return registry;
}

} // namespace abitag
