// SPDX-License-Identifier: MIT
#include "audit/tag_rerun.h"

#include "analyzers/registry.h"
#include "fingerprint/analyzer.h"
#include "fingerprint/discover.h"
#include "fingerprint/paths.h"
#include "tagger/analyzer_arguments.h"

namespace abitag::audit {

Rerun rerun(const tagger::Tag &tag, const std::string &root, const RootView *view) {
  std::unique_ptr<Analyzer> analyzer = builtin_registry().create(tag.source);
  if (!analyzer)
    return {std::nullopt, "no analyzer named '" + tag.source + "' in this abitag"};
  std::vector<std::string> args = tag.arguments->options;
  args.push_back("--");
  args.insert(args.end(), tag.arguments->paths.begin(), tag.arguments->paths.end());
  AnalysisInputs inputs;
  llvm::Expected<tagger::TagArguments> parsed = tagger::parse_analyzer_arguments(*analyzer, args, inputs);
  if (!parsed)
    return {std::nullopt, "its recorded options no longer parse: " + to_message(parsed.takeError())};
  if (std::string why = analyzer->host_dependence(); !why.empty())
    return {std::nullopt, why};
  inputs.root = root;
  inputs.paths.clear();
  for (const std::string &path : tag.arguments->paths) {
    llvm::Expected<std::string> host = view ? view->resolve(path) : resolve_under_root(root, path);
    if (!host)
      return {std::nullopt, path + ": " + to_message(host.takeError())};
    inputs.paths.push_back(*host);
  }
  Analysis analysis = analyzer->analyze(inputs);
  auto inside = [&](const std::string &path) { return view ? view->inside(path) : path_inside_root(root, path); };
  if (!analysis.errors.empty())
    return {std::nullopt, inside(analysis.errors.front().path) + ": " + analysis.errors.front().reason};
  if (!analysis.failure.empty())
    return {std::nullopt, analysis.failure};
  return {analysis.value, ""};
}

} // namespace abitag::audit
