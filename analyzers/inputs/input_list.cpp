// SPDX-License-Identifier: MIT
#include "analyzers/inputs/input_list.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <llvm/Support/Program.h>

#include "analyzers/inputs/inputs.h"
#include "fingerprint/child_process.h"
#include "fingerprint/hash.h"

namespace abitag::inputs {
namespace {

std::vector<std::string> words(const std::string &text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;)
    out.push_back(word);
  return out;
}

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.pop_back();
  return text;
}

// The compiler's binary as the shell would run it.
llvm::Expected<std::string> binary_digest(const std::string &program) {
  std::string path = program;
  if (program.find('/') == std::string::npos) {
    llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(program);
    if (!found)
      return make_error("'" + program + "' not found on PATH");
    path = *found;
  }
  return file_digest_hex(path, DigestKind::Sha256);
}

// x86_64-linux-gnu, s390x-ibm-linux-gnu: one word of dash-separated parts.
bool is_target_triple(const std::string &text) {
  return !text.empty() && text.find_first_of(" \t\n") == std::string::npos && text.find('-') != std::string::npos;
}

} // namespace

bool is_fingerprint(std::string_view text) {
  if (text.substr(0, kFingerprintPrefix.size()) != kFingerprintPrefix)
    return false;
  std::string_view hex = text.substr(kFingerprintPrefix.size());
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void add_files(const std::vector<std::string> &paths, InputList &out) {
  for (const std::string &path : paths) {
    llvm::Expected<std::string> digest = file_digest_hex(path, DigestKind::Sha256);
    if (digest)
      out.inputs.push_back({"file", path, *digest});
    else
      out.errors.push_back({path, to_message(digest.takeError())});
  }
}

void add_values(const std::vector<std::string> &values, InputList &out) {
  for (const std::string &value : values) {
    std::size_t equals = value.find('=');
    if (equals == std::string::npos || equals == 0)
      out.errors.push_back({value, "not NAME=VALUE"});
    else
      out.inputs.push_back({"value", value.substr(0, equals), sha256_hex(value.substr(equals + 1))});
  }
}

void add_compiler(const std::string &command, const std::string &check, InputList &out) {
  std::vector<std::string> argv = words(command);
  if (argv.empty()) {
    out.errors.push_back({command, "no compiler command"});
    return;
  }
  std::string program = argv.front();
  argv.erase(argv.begin());
  std::vector<std::string> version = argv, dumpmachine = argv;
  version.push_back("--version");
  dumpmachine.push_back("-dumpmachine");
  llvm::Expected<std::string> identity =
      check == "content" ? binary_digest(program) : llvm::Expected<std::string>(capture_output(program, version));
  if (!identity) {
    out.errors.push_back({command, to_message(identity.takeError())});
    return;
  }
  out.inputs.push_back({"compiler", command, check == "content" ? *identity : sha256_hex(*identity)});
  // A compiler without -dumpmachine names no target: ghc refuses the option,
  // sbcl starts its REPL and prints a banner, not one word. Its identity
  // above is all there is.
  llvm::Expected<std::string> target = capture_output(program, dumpmachine);
  if (!target)
    llvm::consumeError(target.takeError());
  else if (is_target_triple(trimmed(*target)))
    out.inputs.push_back({"target", trimmed(*target), sha256_hex(trimmed(*target))});
}

void add_store_tags(const std::vector<std::string> &packages, const std::string &db,
                    const ReadStoreTags &read, InputList &out) {
  for (const std::string &package : packages) {
    if (!read) {
      out.errors.push_back({package, "no tag store to read its tags from"});
      continue;
    }
    llvm::Expected<StoreTags> tags = read(db, package);
    if (!tags)
      out.errors.push_back({package, to_message(tags.takeError())});
    else if (tags->empty())
      out.errors.push_back({package, "has no tags in the store"});
    else
      for (const auto &[key, value] : *tags)
        out.inputs.push_back({"tag", package + " " + key, sha256_hex(value)});
  }
}

std::string fingerprint_of(const std::vector<Input> &inputs) {
  std::vector<std::string> lines;
  for (const Input &input : inputs)
    lines.push_back(input.kind + " " + (input.kind == "file" ? "" : input.name) + " " + input.hash);
  std::sort(lines.begin(), lines.end());
  Digest digest(DigestKind::Sha256);
  for (const std::string &line : lines)
    digest.update(line + "\n");
  return std::string(kFingerprintPrefix) + digest.hex_digest();
}

} // namespace abitag::inputs
