// The analyzers built into abitag: one registration line each.
#include "fingerprint/analyzer.h"

#include "analyzers/cxxabi/register.h"
#include "analyzers/ghc/register.h"
#include "analyzers/kmod/register.h"
#include "analyzers/qt/register.h"
#include "analyzers/sbcl/register.h"

namespace abitag {

Registry &builtin_registry() {
  static Registry registry = [] {
    Registry r;
    cxxabi::register_analyzer(r);
    ghc::register_analyzer(r);
    kmod::register_analyzer(r);
    qt::register_analyzer(r);
    sbcl::register_analyzer(r);
    return r;
  }();
  return registry;
}

} // namespace abitag
