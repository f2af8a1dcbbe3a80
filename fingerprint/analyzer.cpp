// SPDX-License-Identifier: MIT
#include "fingerprint/analyzer.h"

namespace abitag {

void Registry::add(AnalyzerFactory factory) { analyzers_.push_back(std::move(factory)); }

void Registry::add(std::unique_ptr<Command> command) { commands_.push_back(std::move(command)); }

std::unique_ptr<Analyzer> Registry::create(std::string_view name) const {
  for (const AnalyzerFactory &factory : analyzers_)
    if (std::unique_ptr<Analyzer> analyzer = factory(); analyzer->name() == name)
      return analyzer;
  return nullptr;
}

} // namespace abitag
