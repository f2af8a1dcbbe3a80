// SPDX-License-Identifier: MIT
#include "analyzers/cxxabi/symbols_command.h"

#include <cstdio>
#include <optional>

#include <CLI/CLI.hpp>

#include "analyzers/cxxabi/file_verdict.h"
#include "analyzers/cxxabi/scan.h"
#include "elf/demangle.h"
#include "fingerprint/output.h"
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
    command.add_option("paths", paths_, "files or folders to read")->required()->type_name("PATH");
    command.add_option("--root", root_, "take absolute link targets of named paths under DIR")
        ->capture_default_str()
        ->type_name("DIR");
  }

  llvm::Expected<int> run() override {
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
          // Once stdout fails (a full disk, a closed pipe), nothing more is
          // read or written: the run ends with the write error.
          if (std::ferror(stdout))
            return;
          thread_local NameClassifier classifier;
          llvm::Expected<elf::SymbolFile> symbols = elf::read_symbol_file(found.files[i].open_path);
          if (!symbols) {
            failures[i] = to_message(symbols.takeError());
            return;
          }
          classified[i] = classify_file(std::move(*symbols), classifier, Detail::Full);
        },
        [&](std::size_t i) {
          if (!failures[i].empty())
            errors.push_back({found.files[i].path, failures[i]});
          if (classified[i] && !std::ferror(stdout)) {
            if (!header)
              write_stdout("file\tmember\ttype\tname\tversion\tdemangled\tclass\tscope\n");
            header = true;
            render(found.files[i].path, *classified[i]);
          }
          classified[i].reset();
        });
    flush_stdout(); // the rows before the errors, when both go to one terminal
    if (llvm::Error e = input_errors(errors))
      return e;
    return kExitOk;
  }

private:
  static void render(const std::string &path, const ClassifiedFile &classified) {
    constexpr std::size_t kBlock = 1 << 20;
    std::string out;
    for (std::size_t o = 0; o < classified.file.objects.size(); ++o) {
      const elf::ObjectSymbols &object = classified.file.objects[o];
      for (std::size_t i = 0; i < object.symbols.size(); ++i) {
        const elf::Symbol &s = object.symbols[i];
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
        append_row_field(out, elf::demangle(s.name));
        out += '\t';
        out += family_string(c.families);
        out += '\t';
        out += scope_name(scope_of(s, c, classified.embeds_stdlib));
        out += '\n';
        if (out.size() >= kBlock) {
          if (!write_stdout(out))
            return;
          out.clear();
        }
      }
    }
    write_stdout(out);
  }

  std::vector<std::string> paths_;
  std::string root_ = "/";
};

} // namespace

std::unique_ptr<Command> make_symbols_command() { return std::make_unique<SymbolsCommand>(); }

} // namespace abitag::cxxabi
