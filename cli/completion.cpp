// SPDX-License-Identifier: MIT
#include "cli/completion.h"

#include <CLI/CLI.hpp>

#include "cli/usage.h"
#include "fingerprint/output.h"

namespace abitag::cli {
namespace {

// How a value or a positional argument completes.
struct Completion {
  enum Kind { None, Any, Files, Dirs, Words } kind = None; // None: a flag, which takes no value
  std::vector<std::string> words;
  std::string what; // the value's name, for zsh's message: "path", "dir"
};

struct OptionSpec {
  std::vector<std::string> names; // "--json", "-h"
  std::string description;
  Completion value;
};

struct CommandSpec {
  std::string name; // empty for abitag itself
  std::string description;
  std::vector<OptionSpec> options;
  std::vector<Completion> positionals;
  bool last_repeats = false; // the last positional takes any number of words
};

// The words a COMMAND or ANALYZER value can be.
struct Vocabulary {
  std::vector<std::string> commands, analyzers;
};

std::string first_line(const std::string &text) { return text.substr(0, text.find('\n')); }

std::string lower(std::string text) {
  for (char &c : text)
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return text;
}

std::vector<std::string> split(const std::string &text, char separator) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = std::min(text.find(separator, start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string> &words) {
  std::string out;
  for (const std::string &word : words)
    out += (out.empty() ? "" : " ") + word;
  return out;
}

// CLI11's type name is the declared one, then ":" and each check's
// description; CLI::IsMember describes itself as "{a,b,c}".
Completion completion_of(const CLI::Option &option, const Vocabulary &vocabulary) {
  if (option.get_items_expected_max() == 0)
    return {};
  std::string type = option.get_type_name();
  std::string base = type.substr(0, type.find(':'));
  Completion out{Completion::Any, {}, lower(base)};
  if (base == "PATH" || base == "FILE")
    out.kind = Completion::Files;
  else if (base == "DIR")
    out.kind = Completion::Dirs;
  else if (base == "COMMAND")
    out = {Completion::Words, vocabulary.commands, "command"};
  else if (base == "ANALYZER")
    out = {Completion::Words, vocabulary.analyzers, "analyzer"};
  if (std::size_t open = type.find(":{"); open != std::string::npos && type.back() == '}')
    out = {Completion::Words, split(type.substr(open + 2, type.size() - open - 3), ','), "value"};
  if (out.what.empty() || out.what == "text")
    out.what = option.get_positional() ? option.get_name() : "value";
  return out;
}

CommandSpec describe(const CLI::App &app, bool is_root, const Vocabulary &vocabulary) {
  CommandSpec spec{is_root ? "" : app.get_name(), first_line(app.get_description()), {}, {}, false};
  for (const CLI::Option *option : app.get_options()) {
    Completion value = completion_of(*option, vocabulary);
    if (option->get_positional()) {
      spec.positionals.push_back(value);
      spec.last_repeats = option->get_items_expected_max() > 1;
      continue;
    }
    OptionSpec out{{}, first_line(option->get_description()), value};
    for (const std::string &name : option->get_snames())
      out.names.push_back("-" + name);
    for (const std::string &name : option->get_lnames())
      out.names.push_back("--" + name);
    spec.options.push_back(out);
  }
  if (app.get_prefix_command()) { // tag: the words after its positionals are an analyzer's options and paths
    spec.positionals.push_back({Completion::Files, {}, "argument"});
    spec.last_repeats = true;
  }
  return spec;
}

// abitag itself first, then each command.
std::vector<CommandSpec> describe_all(const CLI::App &root, const Registry &registry) {
  Vocabulary vocabulary;
  std::vector<const CLI::App *> commands = commands_of(root);
  for (const CLI::App *command : commands)
    vocabulary.commands.push_back(command->get_name());
  for (const AnalyzerFactory &factory : registry.analyzers())
    vocabulary.analyzers.emplace_back(factory()->name());
  std::vector<CommandSpec> specs{describe(root, true, vocabulary)};
  for (const CLI::App *command : commands)
    specs.push_back(describe(*command, false, vocabulary));
  return specs;
}

std::string quote(const std::string &text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string bash_kind(const Completion &value) {
  switch (value.kind) {
  case Completion::None:
    return "none";
  case Completion::Any:
    return "any";
  case Completion::Files:
    return "files";
  case Completion::Dirs:
    return "dirs";
  case Completion::Words:
    return "words " + join(value.words);
  }
  return "none";
}

// The case arms that say, per command, its options, how each option's value
// completes, and how its positional arguments do.
struct BashTables {
  std::string options, values, positionals;
};

BashTables bash_tables(const std::vector<CommandSpec> &specs) {
  BashTables out;
  for (const CommandSpec &spec : specs) {
    std::vector<std::string> names;
    for (const OptionSpec &option : spec.options) {
      names.insert(names.end(), option.names.begin(), option.names.end());
      if (option.value.kind == Completion::None)
        continue;
      std::string patterns;
      for (const std::string &name : option.names)
        patterns += (patterns.empty() ? "" : "|") + quote(spec.name + ":" + name);
      out.values += "        " + patterns + ") echo " + quote(bash_kind(option.value)) + " ;;\n";
    }
    out.options += "        " + quote(spec.name) + ") echo " + quote(join(names)) + " ;;\n";
    if (spec.positionals.empty())
      continue;
    std::string kinds;
    for (const Completion &positional : spec.positionals)
      kinds += " " + quote(bash_kind(positional));
    out.positionals += "        " + quote(spec.name) + ") kinds=(" + kinds.substr(1) +
                       ") repeats=" + (spec.last_repeats ? "1" : "0") + " ;;\n";
  }
  return out;
}

// The script around the tables; @NAME@ marks where each goes.
constexpr const char *kBashScript = R"SCRIPT(# bash completion for abitag, generated by `abitag completion bash` from abitag's
# own command definitions.

_abitag_options() { # COMMAND (empty: abitag itself): its options
    case $1 in
@OPTIONS@    esac
}

_abitag_value() { # COMMAND OPTION: how the option's value completes; none for a flag
    case $1:$2 in
@VALUES@        *) echo none ;;
    esac
}

_abitag_positional() { # COMMAND N: how its Nth positional argument (from 0) completes
    local -a kinds=()
    local repeats=0
    case $1 in
@POSITIONALS@    esac
    if (($2 < ${#kinds[@]})); then
        echo "${kinds[$2]}"
    elif ((repeats)); then
        echo "${kinds[-1]}"
    else
        echo none
    fi
}

_abitag_reply() { # KIND: the completions of $cur
    case $1 in
        files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
        dirs) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
        words\ *) mapfile -t COMPREPLY < <(compgen -W "${1#words }" -- "$cur") ;;
        *) COMPREPLY=() ;;
    esac
}

_abitag() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev= command= option= word n=0 i=1
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}
    # The command is the first word that is neither an option nor an option's
    # value; n counts its positional arguments before the word completed.
    while ((i < COMP_CWORD)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -?* ]]; then
            if [[ ${COMP_WORDS[i+1]} == = ]]; then
                ((i += 2))
            elif [[ $word != *=* && $(_abitag_value "$command" "$word") != none ]]; then
                ((i += 1))
            fi
        elif [[ -z $command ]]; then
            command=$word
        else
            ((n += 1))
        fi
        ((i += 1))
    done
    # A value: after its option, or after "--option=" (bash splits words at =).
    if [[ $cur == = ]]; then
        option=$prev cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        option=${COMP_WORDS[COMP_CWORD-2]}
    elif [[ $prev == -?* ]]; then
        option=$prev
    fi
    if [[ -n $option && $(_abitag_value "$command" "$option") != none ]]; then
        _abitag_reply "$(_abitag_value "$command" "$option")"
    elif [[ $cur == -* ]]; then
        _abitag_reply "words $(_abitag_options "$command")"
    elif [[ -z $command ]]; then
        _abitag_reply @COMMANDS@
    else
        _abitag_reply "$(_abitag_positional "$command" "$n")"
    fi
    return 0
}

complete -F _abitag abitag
)SCRIPT";

constexpr const char *kZshScript = R"SCRIPT(#compdef abitag
# zsh completion for abitag, generated by `abitag completion zsh` from abitag's
# own command definitions.

_abitag_commands() {
  local -a commands=(
@COMMANDS@  )
  _describe -t commands 'abitag command' commands
}

_abitag() {
  local curcontext=$curcontext state state_descr line ret=1
  typeset -A opt_args
  _arguments -C@ABITAG@ && ret=0
  if [[ $state == argument ]]; then
    curcontext=${curcontext%:*:*}:abitag-$words[1]:
    case $words[1] in
@CASES@    esac
  fi
  return ret
}

_abitag "$@"
)SCRIPT";

std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>> &parts) {
  for (const auto &[marker, part] : parts)
    text.replace(text.find(marker), marker.size(), part);
  return text;
}

std::string bash_script(const std::vector<CommandSpec> &specs) {
  BashTables tables = bash_tables(specs);
  std::vector<std::string> commands;
  for (std::size_t i = 1; i < specs.size(); ++i)
    commands.push_back(specs[i].name);
  return fill(kBashScript, {{"@OPTIONS@", tables.options},
                            {"@VALUES@", tables.values},
                            {"@POSITIONALS@", tables.positionals},
                            {"@COMMANDS@", quote("words " + join(commands))}});
}

// Text inside an _arguments "[description]": brackets would end it.
std::string zsh_description(std::string text) {
  for (char &c : text)
    c = c == '[' ? '(' : c == ']' ? ')' : c;
  return text;
}

std::string zsh_action(const Completion &value) {
  switch (value.kind) {
  case Completion::Files:
    return "_files";
  case Completion::Dirs:
    return "_files -/";
  case Completion::Words:
    return "(" + join(value.words) + ")";
  default:
    return " "; // the message alone: nothing to offer
  }
}

// One _arguments spec per option name and per positional argument.
std::vector<std::string> zsh_specs(const CommandSpec &spec) {
  std::vector<std::string> out;
  for (const OptionSpec &option : spec.options)
    for (const std::string &name : option.names) {
      std::string text = name;
      if (option.value.kind != Completion::None)
        text += name.rfind("--", 0) == 0 ? "=" : "+";
      text += "[" + zsh_description(option.description) + "]";
      if (option.value.kind != Completion::None)
        text += ":" + option.value.what + ":" + zsh_action(option.value);
      out.push_back(quote(text));
    }
  for (std::size_t i = 0; i < spec.positionals.size(); ++i) {
    const Completion &positional = spec.positionals[i];
    bool repeats = spec.last_repeats && i + 1 == spec.positionals.size();
    out.push_back(quote((repeats ? "*:" : ":") + positional.what + ":" + zsh_action(positional)));
  }
  return out;
}

// The specs as continued lines of an _arguments call.
std::string zsh_lines(const std::vector<std::string> &specs, const std::string &indent) {
  std::string out;
  for (const std::string &spec : specs)
    out += " \\\n" + indent + spec;
  return out;
}

std::string zsh_script(const std::vector<CommandSpec> &specs) {
  std::string commands, cases;
  for (std::size_t i = 1; i < specs.size(); ++i) {
    commands += "    " + quote(specs[i].name + ":" + specs[i].description) + "\n";
    cases += "      (" + specs[i].name + ")\n        _arguments" + zsh_lines(zsh_specs(specs[i]), "          ") +
             " && ret=0 ;;\n";
  }
  std::vector<std::string> root = zsh_specs(specs[0]);
  root.push_back(quote("1:command:_abitag_commands"));
  root.push_back(quote("*::argument:->argument"));
  return fill(kZshScript, {{"@COMMANDS@", commands}, {"@ABITAG@", zsh_lines(root, "    ")}, {"@CASES@", cases}});
}

class CompletionCommand final : public Command {
public:
  CompletionCommand(const CLI::App &root, const Registry &registry) : root_(root), registry_(registry) {}
  std::string_view name() const override { return "completion"; }
  std::string_view description() const override { return "print the completion script for bash or zsh"; }

  void add_options(CLI::App &command) override {
    command.add_option("shell", shell_, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
    command.footer("bash: source <(abitag completion bash), or install it as\n"
                   "share/bash-completion/completions/abitag; zsh: install it as _abitag in a folder\n"
                   "of $fpath (the build installs share/zsh/vendor-completions/_abitag).\n\n" +
                   command.get_footer());
  }

  llvm::Expected<int> run() override {
    write_stdout(completion_script(shell_, root_, registry_));
    return kExitOk;
  }

private:
  const CLI::App &root_;
  const Registry &registry_;
  std::string shell_;
};

} // namespace

std::string completion_script(const std::string &shell, const CLI::App &root, const Registry &registry) {
  std::vector<CommandSpec> specs = describe_all(root, registry);
  return shell == "zsh" ? zsh_script(specs) : bash_script(specs);
}

std::unique_ptr<Command> make_completion_command(const CLI::App &root, const Registry &registry) {
  return std::make_unique<CompletionCommand>(root, registry);
}

} // namespace abitag::cli
