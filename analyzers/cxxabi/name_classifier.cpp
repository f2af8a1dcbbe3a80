// SPDX-License-Identifier: MIT
#include "analyzers/cxxabi/name_classifier.h"

#include <array>
#include <cstring>
#include <type_traits>
#include <vector>

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Demangle/ItaniumDemangle.h>

namespace abitag::cxxabi {

using namespace llvm::itanium_demangle;

namespace {

// A bump allocator for the demangler's nodes, reused from name to name.
// Nodes own nothing, so they are never destroyed, only forgotten.
class Arena {
public:
  void reset() {
    block_ = 0;
    used_ = 0;
  }

  template <class T, class... Args> T *makeNode(Args &&...args) {
    return new (allocate(sizeof(T))) T(std::forward<Args>(args)...);
  }

  void *allocateNodeArray(size_t count) { return allocate(sizeof(Node *) * count); }

private:
  void *allocate(size_t size) {
    size = (size + 15) & ~size_t(15);
    while (block_ < blocks_.size() && used_ + size > blocks_[block_].size) {
      ++block_;
      used_ = 0;
    }
    if (block_ == blocks_.size()) {
      size_t bytes = std::max<size_t>(size, 64 * 1024);
      blocks_.push_back({std::make_unique<std::max_align_t[]>(bytes / sizeof(std::max_align_t) + 1),
                         bytes});
      used_ = 0;
    }
    char *at = reinterpret_cast<char *>(blocks_[block_].data.get()) + used_;
    used_ += size;
    return at;
  }

  struct Block {
    std::unique_ptr<std::max_align_t[]> data;
    size_t size;
  };
  std::vector<Block> blocks_;
  size_t block_ = 0;
  size_t used_ = 0;
};

using Parser = ManglingParser<Arena>;

std::string_view view(StringView s) { return {s.begin(), s.size()}; }

// One component of a qualified name, with whether it carries [abi:cxx11].
struct Component {
  std::string_view name;
  bool cxx11_tag = false;
};
using Components = llvm::SmallVector<Component, 8>;

std::string_view special_base(SpecialSubKind kind) {
  switch (kind) {
  case SpecialSubKind::allocator: return "allocator";
  case SpecialSubKind::basic_string:
  case SpecialSubKind::string: return "basic_string";
  case SpecialSubKind::istream: return "basic_istream";
  case SpecialSubKind::ostream: return "basic_ostream";
  case SpecialSubKind::iostream: return "basic_iostream";
  }
  return {};
}

// Flattens a (possibly nested, templated, tagged) name into its components:
// std::__cxx11::list<int>::_M_clear -> std, __cxx11, list, _M_clear.
void components_of(const Node *node, Components &out, int depth = 0) {
  if (!node || depth > 256)
    return;
  switch (node->getKind()) {
  case Node::KNestedName: {
    auto *n = static_cast<const NestedName *>(node);
    components_of(n->Qual, out, depth + 1);
    components_of(n->Name, out, depth + 1);
    return;
  }
  case Node::KStdQualifiedName:
    out.push_back({"std"});
    static_cast<const StdQualifiedName *>(node)->match(
        [&](const Node *child) { components_of(child, out, depth + 1); });
    return;
  case Node::KNameWithTemplateArgs:
    components_of(static_cast<const NameWithTemplateArgs *>(node)->Name, out, depth + 1);
    return;
  case Node::KAbiTagAttr: {
    auto *n = static_cast<const AbiTagAttr *>(node);
    components_of(n->Base, out, depth + 1);
    if (view(n->Tag) == "cxx11" && !out.empty())
      out.back().cxx11_tag = true;
    return;
  }
  case Node::KGlobalQualifiedName:
    static_cast<const GlobalQualifiedName *>(node)->match(
        [&](const Node *child) { components_of(child, out, depth + 1); });
    return;
  case Node::KLocalName:
    static_cast<const LocalName *>(node)->match(
        [&](const Node *, const Node *entity) { components_of(entity, out, depth + 1); });
    return;
  case Node::KSpecialSubstitution:
    out.push_back({"std"});
    out.push_back({special_base(static_cast<const SpecialSubstitution *>(node)->SSK)});
    return;
  case Node::KExpandedSpecialSubstitution:
    static_cast<const ExpandedSpecialSubstitution *>(node)->match([&](SpecialSubKind kind) {
      out.push_back({"std"});
      out.push_back({special_base(kind)});
    });
    return;
  default:
    out.push_back({view(node->getBaseName())});
    return;
  }
}

bool is_libcxx_namespace(std::string_view ns) {
  // _LIBCPP_ABI_NAMESPACE is __<version> (__1, __2), and __ndk<version> on Android.
  if (ns.substr(0, 2) != "__")
    return false;
  std::string_view digits = ns.substr(2);
  if (digits.substr(0, 3) == "ndk")
    digits = digits.substr(3);
  if (digits.empty())
    return false;
  for (char c : digits)
    if (c < '0' || c > '9')
      return false;
  return true;
}

// Class templates that libstdc++ defines once per dual-ABI flavour: their
// name directly under std:: (not std::__cxx11::) is the old ABI.
bool is_dual_abi_class(std::string_view name) {
  static constexpr std::array<std::string_view, 19> names = {
      "basic_string",    "list",          "_List_base",          "basic_stringbuf",
      "basic_stringstream", "basic_istringstream", "basic_ostringstream", "numpunct",
      "numpunct_byname", "collate",       "collate_byname",      "time_get",
      "time_get_byname", "moneypunct",    "moneypunct_byname",   "money_get",
      "money_put",       "messages",      "messages_byname"};
  for (std::string_view n : names)
    if (n == name)
      return true;
  return false;
}

// The family a qualified name belongs to, from its leading components.
uint8_t family_of_components(const Components &c) {
  if (c.size() < 2)
    return 0;
  if (c[0].name == "__gnu_cxx")
    return c[1].name == "__cxx11" ? kNewAbi : 0;
  if (c[0].name != "std")
    return 0;
  size_t i = 1;
  if (c[i].name == "__cxx1998" && c.size() > 2) // the debug mode's base namespace
    ++i;
  std::string_view next = c[i].name;
  if (next == "__cxx11")
    return kNewAbi;
  if (is_libcxx_namespace(next))
    return kLibcxx;
  if (next == "ios_base" && i + 1 < c.size() && c[i + 1].name == "failure")
    return c[i + 1].cxx11_tag ? kNewAbi : kOldAbi;
  if (is_dual_abi_class(next))
    return kOldAbi;
  return 0;
}

bool is_std_namespace(std::string_view first) {
  return first == "std" || first == "__gnu_cxx" || first == "__cxxabiv1";
}

// Looks through the nodes that wrap a symbol's real subject: ".cold" and
// ".isra.0" suffixes, and special names (vtable for X, guard variable for X,
// non-virtual thunk to f). SPECIAL says whether a special name was passed.
const Node *unwrap(const Node *node, bool &special) {
  special = false;
  for (int guard = 0; node && guard < 64; ++guard) {
    if (node->getKind() == Node::KDotSuffix) {
      static_cast<const DotSuffix *>(node)->match(
          [&](const Node *prefix, StringView) { node = prefix; });
    } else if (node->getKind() == Node::KSpecialName) {
      special = true;
      static_cast<const SpecialName *>(node)->match(
          [&](StringView, const Node *child) { node = child; });
    } else {
      break;
    }
  }
  return node;
}

// The node naming the entity a symbol defines: the function's name, the
// class of a vtable, the object of a guard variable...
const Node *entity_of(const Node *node, bool &special) {
  node = unwrap(node, special);
  for (int guard = 0; node && guard < 64; ++guard) {
    switch (node->getKind()) {
    case Node::KCtorVtableSpecialName:
      special = true;
      static_cast<const CtorVtableSpecialName *>(node)->match(
          [&](const Node *first, const Node *) { node = first; });
      continue;
    case Node::KFunctionEncoding:
      return static_cast<const FunctionEncoding *>(node)->getName();
    case Node::KLocalName:
      static_cast<const LocalName *>(node)->match(
          [&](const Node *encoding, const Node *) { node = encoding; });
      continue;
    default:
      return node;
    }
  }
  return node;
}

const FunctionEncoding *function_of(const Node *node) {
  bool special;
  node = unwrap(node, special);
  return node && node->getKind() == Node::KFunctionEncoding
             ? static_cast<const FunctionEncoding *>(node)
             : nullptr;
}

bool is_std_pair(const Node *type) {
  while (type && type->getKind() == Node::KQualType)
    static_cast<const QualType *>(type)->match(
        [&](const Node *child, Qualifiers) { type = child; });
  if (!type || type->getKind() != Node::KNameWithTemplateArgs)
    return false;
  Components c;
  components_of(type, c);
  return c.size() == 2 && c[0].name == "std" && c[1].name == "pair";
}

// A dialect tag: libstdc++ tags these members [abi:cxx11] in C++11 mode
// because their return type changed (DR 130 erase, DR 387 real/imag),
// whatever _GLIBCXX_USE_CXX11_ABI says.
bool is_dialect_member(const Components &c) {
  if (c.size() < 2 || c[0].name != "std")
    return false;
  std::string_view member = c.back().name;
  std::string_view owner = c[c.size() - 2].name;
  if (member == "erase")
    return owner == "map" || owner == "multimap" || owner == "set" || owner == "multiset" ||
           owner == "_Rb_tree";
  if (member == "real" || member == "imag")
    return owner == "complex" || owner == "std";
  return false;
}

} // namespace

struct NameClassifier::Impl {
  Parser parser{nullptr, nullptr};
  llvm::SmallPtrSet<const Node *, 32> visited;
  llvm::SmallPtrSet<const Node *, 4> own_tags; // the function name's own tags
  std::vector<const Node *> pending;

  void push(const Node *node) {
    if (node && visited.insert(node).second)
      pending.push_back(node);
  }

  // Queues every child node, whatever the node's kind: match() hands over
  // the constructor arguments, and only the Node pointers and arrays matter.
  void push_children(const Node *node) {
    if (node->getKind() == Node::KForwardTemplateReference) {
      // Its match() is deleted: the reference is filled in after parsing.
      push(static_cast<const ForwardTemplateReference *>(node)->Ref);
      return;
    }
    node->visit([this](const auto *derived) {
      using NodeType = std::remove_cv_t<std::remove_pointer_t<decltype(derived)>>;
      if constexpr (!std::is_same_v<NodeType, ForwardTemplateReference>)
        derived->match([&](const auto &...fields) { (push_field(fields), ...); });
    });
  }

  template <class T> void push_field(const T &field) {
    if constexpr (std::is_convertible_v<T, const Node *>)
      push(field);
    else if constexpr (std::is_same_v<T, NodeArray>)
      for (const Node *child : field)
        push(child);
  }

  uint8_t families_of(const Node *node) {
    switch (node->getKind()) {
    case Node::KNestedName:
    case Node::KStdQualifiedName: {
      Components c;
      components_of(node, c);
      return family_of_components(c);
    }
    case Node::KSpecialSubstitution: {
      auto kind = static_cast<const SpecialSubstitution *>(node)->SSK;
      return kind == SpecialSubKind::string || kind == SpecialSubKind::basic_string ? kOldAbi : 0;
    }
    case Node::KExpandedSpecialSubstitution: {
      uint8_t out = 0;
      static_cast<const ExpandedSpecialSubstitution *>(node)->match([&](SpecialSubKind kind) {
        if (kind == SpecialSubKind::string || kind == SpecialSubKind::basic_string)
          out = kOldAbi;
      });
      return out;
    }
    case Node::KAbiTagAttr: {
      auto *tag = static_cast<const AbiTagAttr *>(node);
      return view(tag->Tag) == "cxx11" && !own_tags.count(node) ? kNewAbi : 0;
    }
    default:
      return 0;
    }
  }

  // The function's own [abi:cxx11]: the tag of its return type (new ABI),
  // or one of the dialect-tagged members.
  uint8_t own_tag_family(const FunctionEncoding *function) {
    const Node *name = function->getName();
    if (name->getKind() == Node::KNameWithTemplateArgs)
      name = static_cast<const NameWithTemplateArgs *>(name)->Name;
    const Node *last = name;
    if (last->getKind() == Node::KNestedName)
      last = static_cast<const NestedName *>(last)->Name;
    bool tagged = false;
    while (last && last->getKind() == Node::KAbiTagAttr) {
      auto *tag = static_cast<const AbiTagAttr *>(last);
      if (view(tag->Tag) == "cxx11") {
        tagged = true;
        own_tags.insert(last);
      }
      last = tag->Base;
    }
    if (!tagged)
      return 0;
    Components c;
    components_of(name, c);
    return is_dialect_member(c) ? kDialect : kNewAbi;
  }

  NameClass classify_parsed(const Node *ast) {
    NameClass out;
    out.itanium = out.parsed = true;
    visited.clear();
    own_tags.clear();
    pending.clear();

    bool special = false;
    Components entity;
    components_of(entity_of(ast, special), entity);
    std::string_view first = entity.empty() ? std::string_view() : entity[0].name;
    // typeinfo and vtables of types without a name (int*, char const*) are
    // emitted by the C++ runtime.
    out.std_scoped = is_std_namespace(first) || (special && first.empty());
    if (entity.size() >= 2 && entity[0].name == "std") {
      size_t i = entity[1].name == "__cxx1998" ? 2 : 1;
      out.old_list_entity = i < entity.size() &&
                            (entity[i].name == "list" || entity[i].name == "_List_base");
    }

    if (const FunctionEncoding *function = function_of(ast)) {
      out.families |= own_tag_family(function);
      function->match([&](const Node *ret, const Node *, NodeArray params, const Node *,
                          Qualifiers, FunctionRefQual) {
        out.pair_by_value = is_std_pair(ret);
        for (const Node *param : params)
          out.pair_by_value |= is_std_pair(param);
      });
    }

    push(ast);
    while (!pending.empty()) {
      const Node *node = pending.back();
      pending.pop_back();
      out.families |= families_of(node);
      push_children(node);
    }
    return out;
  }
};

NameClassifier::NameClassifier() : impl_(std::make_unique<Impl>()) {}
NameClassifier::~NameClassifier() = default;

// Tokens that only a mangler writes: identifiers with "__" are reserved.
static uint8_t families_by_safe_tokens(std::string_view name) {
  uint8_t out = 0;
  if (name.find("St7__cxx11") != std::string_view::npos ||
      name.find("B5cxx11") != std::string_view::npos ||
      name.find("N9__gnu_cxx7__cxx11") != std::string_view::npos)
    out |= kNewAbi;
  if (name.find("St3__1") != std::string_view::npos || name.find("St3__2") != std::string_view::npos ||
      name.find("St6__ndk1") != std::string_view::npos)
    out |= kLibcxx;
  return out;
}

// Whether NAME has no token through which it could refer to the standard
// library: std is written "St" (or "NSt"), its string and stream types
// "Sa", "Sb", "Ss", "Si", "So", "Sd", and a substitution (S_, S0_) or
// template parameter (T_) only repeats what was written out before it.
// Without one, and without "cxx" (an ABI tag B5cxx11, __cxx11, __gnu_cxx,
// __cxxabiv1), no family and no std scope can come out of the parse, so it
// is not parsed: two thirds of the Itanium names under /usr. Special names
// (_ZT: typeinfo and vtables, _ZG: guard variables) are always parsed: the
// typeinfo of an unnamed type (char const*) belongs to the runtime without
// naming std.
static bool cannot_name_std(std::string_view name) {
  if (name.substr(0, 3) == "_ZT" || name.substr(0, 3) == "_ZG")
    return false;
  for (std::size_t at = name.find('S'); at != std::string_view::npos && at + 1 < name.size();
       at = name.find('S', at + 1)) {
    switch (name[at + 1]) {
    case 't': case 'a': case 'b': case 's': case 'i': case 'o': case 'd': return false;
    default: break;
    }
  }
  return name.find("cxx") == std::string_view::npos;
}

namespace {

// Whether TEXT, which follows an "St" (std::), names an entity through which
// family_of_components finds a family: [L] <length> <identifier>, the
// identifier a namespace of libc++ or the debug mode (std::__1, __ndk1,
// __cxx1998, and __cxx11), a dual-ABI class, or ios_base (its failure).
bool names_family_entity(std::string_view text) {
  std::size_t at = !text.empty() && text[0] == 'L' ? 1 : 0; // internal linkage
  std::size_t length = 0, start = at;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at)
    if ((length = length * 10 + static_cast<std::size_t>(text[at] - '0')) > text.size())
      return false;
  if (at == start || length > text.size() - at)
    return false;
  std::string_view identifier = text.substr(at, length);
  return identifier.substr(0, 2) == "__" || identifier == "ios_base" || is_dual_abi_class(identifier);
}

} // namespace

// A family shows only through families_of, of nodes that the parse makes of
// these tokens, each written out in full where the name first refers to
// what it names (a substitution S_, S0_ or template parameter T_ only
// repeats something before it, and so does a forward template reference):
//  - "cxx11": std::__cxx11, __gnu_cxx::__cxx11, the ABI tag [abi:cxx11] (B5cxx11);
//  - "Ss", "Sb": std::string and std::basic_string, the old ABI's;
//  - "St" (std::) and an entity of names_family_entity.
// Names too long to parse and names the demangler refuses are searched for
// tokens (families_by_safe_tokens) that all hold one of these.
bool cannot_show_family(std::string_view name) {
  for (std::size_t at = name.find('S'); at != std::string_view::npos && at + 1 < name.size();
       at = name.find('S', at + 1)) {
    char next = name[at + 1];
    if (next == 's' || next == 'b' || (next == 't' && names_family_entity(name.substr(at + 2))))
      return false;
  }
  return name.find("cxx11") == std::string_view::npos;
}

// Special names are classified as the entity they belong to: LLVM's parse
// tree already leads from a thunk (_ZTh, _ZTv, _ZTc), a guard variable (_ZGV)
// or a reference temporary (_ZGR) to it (see entity_of); a transaction clone
// is classified as the function it clones, so that a clone of a std::
// function (libstdc++'s own, linked statically from devtoolset's
// libstdc++_nonshared.a) is the standard library's, never the library's
// interface. Its scope is always worked out: a strong clone of a std entity
// marks an embedded standard library (classify_file).
NameClass NameClassifier::classify(std::string_view name, Detail detail) {
  std::string cloned = transaction_clone_target(name);
  if (cloned.empty())
    return classify_name(name, detail);
  NameClass out = classify_name(cloned, Detail::Full);
  out.transaction_clone = true;
  return out;
}

NameClass NameClassifier::classify_name(std::string_view name, Detail detail) {
  NameClass out;
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z')
    return out;
  out.itanium = true;
  if (cannot_name_std(name)) {
    out.std_free = true;
    return out;
  }
  if (detail == Detail::Families && cannot_show_family(name)) {
    out.family_free = true;
    return out;
  }
  if (name.size() > kMaxParsedNameLength) {
    out.families = families_by_safe_tokens(name);
    return out;
  }
  impl_->parser.reset(name.data(), name.data() + name.size());
  const Node *ast = impl_->parser.parse();
  if (!ast) {
    out.families = families_by_safe_tokens(name);
    return out;
  }
  return impl_->classify_parsed(ast);
}

std::string join_families(uint8_t families, const FamilyNames &names, const char *none) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!(families & (1u << i)))
      continue;
    if (!out.empty())
      out += kFamilySeparator;
    out += names[i];
  }
  return out.empty() ? none : out;
}

std::string family_string(uint8_t families) {
  return join_families(families, {"old", "new", "libc++", "dialect"}, "-");
}

} // namespace abitag::cxxabi
