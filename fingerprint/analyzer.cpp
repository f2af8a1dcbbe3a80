#include "fingerprint/analyzer.h"

namespace abitag {

void Registry::add(std::unique_ptr<Analyzer> analyzer) { analyzers_.push_back(std::move(analyzer)); }

void Registry::add(std::unique_ptr<Command> command) { commands_.push_back(std::move(command)); }

Analyzer *Registry::find(std::string_view name) const {
  for (const auto &analyzer : analyzers_)
    if (analyzer->name() == name)
      return analyzer.get();
  return nullptr;
}

} // namespace abitag
