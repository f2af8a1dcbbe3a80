#include "analyzers/cxxabi/symbols_command.h"

#include <cstdio>
#include <optional>

#include "analyzers/cxxabi/file_verdict.h"
#include "analyzers/cxxabi/scan.h"
#include "fingerprint/row_field.h"

namespace abitag::cxxabi {
namespace {

class SymbolsCommand final : public Command {
public:
  std::string_view name() const override { return "symbols"; }
  std::string_view description() const override {
    return "list the symbols cxxabi reads, with class and scope (tab-separated)";
  }

  void add_options(CLI::App &command) override {
    command.add_option("paths", paths_, "files or folders to read")->required();
    command.add_option("--root", root_, "take absolute link targets of named paths under DIR")
        ->capture_default_str();
  }

  int run() override {
    Discovery found = discover(paths_, binary_inputs(root_));
    std::vector<InputError> errors = found.errors;
    // Files are read and classified in parallel; their rows are written in
    // order, a block at a time, so no file's whole listing is ever held.
    std::vector<std::optional<ClassifiedFile>> classified(found.files.size());
    std::vector<std::string> failures(found.files.size());
    bool header = false; // written with the first row: a run that reads nothing writes nothing
    process_in_order(
        found.files.size(),
        [&](std::size_t i) {
          thread_local NameClassifier classifier;
          llvm::Expected<SymbolFile> symbols = read_symbol_file(found.files[i].open_path);
          if (!symbols) {
            failures[i] = to_message(symbols.takeError());
            return;
          }
          classified[i] = classify_file(std::move(*symbols), classifier, Detail::Full);
        },
        [&](std::size_t i) {
          if (!failures[i].empty())
            errors.push_back({found.files[i].path, failures[i]});
          if (classified[i]) {
            if (!header)
              std::fputs("file\tmember\ttype\tname\tversion\tdemangled\tclass\tscope\n", stdout);
            header = true;
            render(found.files[i].path, *classified[i]);
          }
          classified[i].reset();
        });
    std::fflush(stdout);
    print_input_errors(errors);
    return errors.empty() ? kExitOk : kExitBadInput;
  }

private:
  static void render(const std::string &path, const ClassifiedFile &classified) {
    constexpr std::size_t kBlock = 1 << 20;
    std::string out;
    for (std::size_t o = 0; o < classified.file.objects.size(); ++o) {
      const ObjectSymbols &object = classified.file.objects[o];
      for (std::size_t i = 0; i < object.symbols.size(); ++i) {
        const Symbol &s = object.symbols[i];
        const NameClass &c = classified.classes[o][i];
        append_row_field(out, path);
        out += '\t';
        append_row_field(out, object.member.empty() ? "-" : object.member);
        out += '\t';
        out += s.type;
        out += '\t';
        append_row_field(out, s.name);
        out += '\t';
        if (s.version.empty())
          out += '-';
        else {
          out += s.default_version ? "@@" : "@";
          append_row_field(out, s.version);
        }
        out += '\t';
        append_row_field(out, demangle(s.name));
        out += '\t';
        out += family_string(c.families);
        out += '\t';
        out += scope_name(scope_of(s, c, classified.embeds_stdlib));
        out += '\n';
        if (out.size() >= kBlock) {
          std::fwrite(out.data(), 1, out.size(), stdout);
          out.clear();
        }
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
  }

  std::vector<std::string> paths_;
  std::string root_ = "/";
};

} // namespace

std::unique_ptr<Command> make_symbols_command() { return std::make_unique<SymbolsCommand>(); }

} // namespace abitag::cxxabi
