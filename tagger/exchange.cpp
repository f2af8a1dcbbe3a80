// SPDX-License-Identifier: MIT
#include "tagger/exchange.h"

#include <map>

#include "fingerprint/errors.h"
#include "fingerprint/json_text.h"
#include "tagger/names.h"

namespace abitag::tagger {
namespace {

constexpr const char *kFormat = "abitag-store";
constexpr int kFormatVersion = 1;

using json = nlohmann::json;

// Reads one field of an object, naming where it was missing or wrong.
llvm::Expected<std::string> string_field(const json &object, const char *field, const std::string &where) {
  auto found = object.find(field);
  if (found == object.end() || !found->is_string())
    return make_error(where + "." + field + ": must be a string");
  return found->get<std::string>();
}

llvm::Expected<std::int64_t> time_field(const json &object, const std::string &where) {
  auto found = object.find("time");
  if (found == object.end() || !found->is_number_integer())
    return make_error(where + ".time: must be an integer (seconds since the epoch)");
  return found->get<std::int64_t>();
}

// {"options": [...], "paths": [...]}, both arrays of strings.
llvm::Expected<TagArguments> arguments_field(const json &arguments, const std::string &where) {
  TagArguments out;
  if (!arguments.is_object())
    return make_error(where + ": must be an object of options and paths");
  for (auto [field, list] : {std::pair{"options", &out.options}, std::pair{"paths", &out.paths}}) {
    auto found = arguments.find(field);
    if (found == arguments.end() || !found->is_array())
      return make_error(where + "." + field + ": must be an array of strings");
    for (const json &word : *found) {
      if (!word.is_string())
        return make_error(where + "." + field + ": must be an array of strings");
      list->push_back(word.get<std::string>());
    }
  }
  return out;
}

llvm::Error check_words(const std::string &where, std::initializer_list<std::pair<const char *, std::string>> words,
                        const std::string &value) {
  for (const auto &[what, word] : words)
    if (std::optional<std::string> why = invalid_word(what, word))
      return make_error(where + ": " + *why);
  if (std::optional<std::string> why = invalid_value(value))
    return make_error(where + ": " + *why);
  return llvm::Error::success();
}

llvm::Error parse_tags(const std::string &package, const json &tags, const std::string &where, Snapshot &out) {
  if (!tags.is_object())
    return make_error(where + ": must be an object of KEY: {value, source, time}");
  for (const auto &[key, tag] : tags.items()) {
    std::string at = where + "." + key;
    if (!tag.is_object())
      return make_error(at + ": must be an object");
    llvm::Expected<std::string> value = string_field(tag, "value", at);
    if (!value)
      return value.takeError();
    llvm::Expected<std::string> source = string_field(tag, "source", at);
    if (!source)
      return source.takeError();
    llvm::Expected<std::int64_t> time = time_field(tag, at);
    if (!time)
      return time.takeError();
    if (llvm::Error e = check_words(at, {{"a package id", package}, {"a key", key}, {"a source", *source}}, *value))
      return e;
    std::optional<TagArguments> arguments;
    if (auto found = tag.find("arguments"); found != tag.end()) {
      llvm::Expected<TagArguments> parsed = arguments_field(*found, at + ".arguments");
      if (!parsed)
        return parsed.takeError();
      arguments = std::move(*parsed);
    }
    out.tags.push_back({package, key, *value, *source, *time, std::move(arguments)});
  }
  return llvm::Error::success();
}

llvm::Error parse_locks(const std::string &package, const json &locks, const std::string &where, Snapshot &out) {
  if (!locks.is_array())
    return make_error(where + ": must be an array of {dependency, key, value, time}");
  for (std::size_t i = 0; i < locks.size(); ++i) {
    std::string at = where + "[" + std::to_string(i) + "]";
    if (!locks[i].is_object())
      return make_error(at + ": must be an object");
    llvm::Expected<std::string> dependency = string_field(locks[i], "dependency", at);
    if (!dependency)
      return dependency.takeError();
    llvm::Expected<std::string> key = string_field(locks[i], "key", at);
    if (!key)
      return key.takeError();
    llvm::Expected<std::string> value = string_field(locks[i], "value", at);
    if (!value)
      return value.takeError();
    llvm::Expected<std::int64_t> time = time_field(locks[i], at);
    if (!time)
      return time.takeError();
    if (llvm::Error e = check_words(at, {{"a package id", package}, {"a dependency", *dependency}, {"a key", *key}},
                                    *value))
      return e;
    out.locks.push_back({package, *dependency, *key, *value, *time});
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<Snapshot> read_snapshot(Store &store, const std::optional<std::string> &package) {
  Snapshot out;
  llvm::Expected<std::vector<Tag>> tags = store.tags(package);
  if (!tags)
    return tags.takeError();
  llvm::Expected<std::vector<Lock>> locks = store.locks(package);
  if (!locks)
    return locks.takeError();
  out.tags = std::move(*tags);
  out.locks = std::move(*locks);
  return out;
}

nlohmann::ordered_json to_json(const Snapshot &snapshot) {
  // Packages in name order, each with its tags and locks; both lists come
  // sorted by package from the store.
  std::map<std::string, nlohmann::ordered_json> packages;
  auto entry = [&](const std::string &package) -> nlohmann::ordered_json & {
    nlohmann::ordered_json &p = packages[package];
    if (p.is_null()) {
      p["tags"] = nlohmann::ordered_json::object();
      p["locks"] = nlohmann::ordered_json::array();
    }
    return p;
  };
  for (const Tag &tag : snapshot.tags) {
    nlohmann::ordered_json &out = entry(tag.package)["tags"][tag.key];
    out = {{"value", tag.value}, {"source", tag.source}, {"time", tag.time}};
    if (tag.arguments)
      out["arguments"] = {{"options", tag.arguments->options}, {"paths", tag.arguments->paths}};
  }
  for (const Lock &lock : snapshot.locks)
    entry(lock.package)["locks"].push_back(
        {{"dependency", lock.dependency}, {"key", lock.key}, {"value", lock.value}, {"time", lock.time}});
  nlohmann::ordered_json out;
  out["format"] = kFormat;
  out["version"] = kFormatVersion;
  out["packages"] = nlohmann::ordered_json::object();
  for (auto &[package, content] : packages)
    out["packages"][package] = std::move(content);
  return out;
}

llvm::Expected<Snapshot> parse_snapshot(const std::string &text) {
  llvm::Expected<json> parsed = parse_json_text(text);
  if (!parsed)
    return make_error("malformed JSON: " + to_message(parsed.takeError()));
  const json &document = *parsed;
  // Fetched as json, not as string or int: a field of another type is a
  // wrong value here, not a type_error thrown through abitag.
  if (!document.is_object() || document.value("format", json()) != kFormat)
    return make_error("not an abitag export: \"format\" must be \"abitag-store\"");
  if (document.value("version", json()) != kFormatVersion)
    return make_error("unsupported export version (this abitag reads version 1)");
  auto packages = document.find("packages");
  if (packages == document.end() || !packages->is_object())
    return make_error("packages: must be an object of package id: {tags, locks}");
  Snapshot out;
  for (const auto &[package, content] : packages->items()) {
    std::string where = "packages." + package;
    if (!content.is_object())
      return make_error(where + ": must be an object with tags and locks");
    if (auto tags = content.find("tags"); tags != content.end())
      if (llvm::Error e = parse_tags(package, *tags, where + ".tags", out))
        return e;
    if (auto locks = content.find("locks"); locks != content.end())
      if (llvm::Error e = parse_locks(package, *locks, where + ".locks", out))
        return e;
  }
  return out;
}

llvm::Error write_snapshot(Store &store, const Snapshot &snapshot, bool replace) {
  if (replace)
    if (llvm::Error e = store.clear())
      return e;
  for (const Tag &tag : snapshot.tags)
    if (llvm::Error e = store.set_tag(tag))
      return e;
  for (const Lock &lock : snapshot.locks)
    if (llvm::Error e = store.set_lock(lock))
      return e;
  return llvm::Error::success();
}

} // namespace abitag::tagger
