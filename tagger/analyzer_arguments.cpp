// SPDX-License-Identifier: MIT
#include "tagger/analyzer_arguments.h"

#include <filesystem>

#include <CLI/CLI.hpp>

#include "fingerprint/paths.h"

namespace abitag::tagger {
namespace {

namespace fs = std::filesystem;

std::string absolute_path(const std::string &path) {
  std::error_code ignored; // only fails without a working directory; the path stays as given
  fs::path absolute = fs::absolute(path, ignored);
  std::string out = absolute.lexically_normal().string();
  if (out.size() > 1 && out.back() == '/')
    out.pop_back();
  return out;
}

// The tokens of ARGS that are options or option values, in order, without
// --root: what CLI11 did not take as a path. ARGS has parsed, so every word
// that starts with '-' names an option of APP.
std::vector<std::string> option_words(const CLI::App &app, const std::vector<std::string> &args) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string &word = args[i];
    if (word == "--")
      break; // paths only from here
    if (word.size() < 2 || word[0] != '-')
      continue;
    std::size_t equals = word.find('=');
    const CLI::Option *option = app.get_option_no_throw(word.substr(0, equals));
    if (!option)
      continue;
    bool takes_next = equals == std::string::npos && option->get_items_expected_max() > 0 && i + 1 < args.size();
    bool keep = !option->check_lname("root");
    if (keep)
      out.push_back(word);
    if (takes_next && keep)
      out.push_back(args[i + 1]);
    i += takes_next ? 1 : 0;
  }
  return out;
}

} // namespace

llvm::Expected<TagArguments> parse_analyzer_arguments(Analyzer &analyzer, const std::vector<std::string> &args,
                                                      AnalysisInputs &inputs) {
  CLI::App app{"abitag tag PACKAGE " + std::string(analyzer.name()), "abitag tag"};
  analyzer.add_options(app);
  app.add_option("paths", inputs.paths, "files or folders to analyze")->required();
  app.add_option("--root", inputs.root, "take absolute link targets under DIR");
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 takes them reversed
    app.parse(reversed);
  } catch (const CLI::ParseError &e) {
    return make_error(std::string(analyzer.name()) + ": " + e.what());
  }
  TagArguments recorded;
  recorded.options = option_words(app, args);
  std::string root = absolute_path(inputs.root);
  for (const std::string &path : inputs.paths)
    recorded.paths.push_back(path_inside_root(root, absolute_path(path)));
  return recorded;
}

} // namespace abitag::tagger
