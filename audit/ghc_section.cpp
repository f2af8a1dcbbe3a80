// SPDX-License-Identifier: MIT
// The GHC section: every package database the walk of ROOT found (a folder
// named package.conf.d) checked as `abitag ghc --check` checks a stack.
//
// GHC stacks a user's databases on the installation's global one, so a
// database under /home or /root is checked on top of every system database
// found; a system database (anything else) is checked alone, since two GHC
// installations do not see each other's packages.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "analyzers/ghc/ghc.h"
#include "audit/section.h"
#include "fingerprint/paths.h"

namespace abitag::audit {
namespace {

bool is_user_database(const std::string &inside_root) {
  return inside_root.rfind("/home/", 0) == 0 || inside_root.rfind("/root/", 0) == 0;
}

class GhcSection final : public AuditSection {
public:
  std::string_view name() const override { return "ghc"; }
  std::string_view description() const override {
    return "GHC package databases (package.conf.d) checked as abitag ghc --check";
  }

  SectionReport run(AuditContext &context) override {
    SectionReport out;
    const std::string &root = context.root();
    auto inside = [&](const std::string &path) { return path_inside_root(root, path); };
    std::vector<std::string> system, user;
    for (const std::string &db : context.files().package_dbs)
      (is_user_database(inside(db)) ? user : system).push_back(db);

    std::size_t broken_units = 0;
    std::vector<std::vector<std::string>> stacks;
    for (const std::string &db : system)
      stacks.push_back({db});
    for (const std::string &db : user) {
      stacks.push_back(system);
      stacks.back().push_back(db);
    }
    for (const std::vector<std::string> &stack : stacks)
      broken_units += check_stack(stack, inside, out);

    out.summary_lines.push_back(std::to_string(system.size() + user.size()) + " package databases (" +
                                std::to_string(user.size()) + " of users), " +
                                std::to_string(broken_units) + " broken units");
    out.summary = {{"databases", system.size() + user.size()},
                   {"user_databases", user.size()},
                   {"broken_units", broken_units}};
    return out;
  }

private:
  // Checks one stack; reports the broken units of its top database only, so
  // a system database under several user stacks is reported once.
  template <class Inside>
  std::size_t check_stack(const std::vector<std::string> &stack, Inside inside, SectionReport &out) {
    ghc::ReadResult read = ghc::read_inputs(stack, "/");
    for (const InputError &error : read.errors)
      out.findings.push_back({Severity::AtRisk, "ghc", "unreadable-database", inside(error.path),
                              error.reason, {}, nlohmann::ordered_json::object()});
    ghc::CheckResult result = ghc::check_package_dbs(read.units);
    std::size_t top = stack.size() - 1, count = 0;
    for (const ghc::BrokenUnit &broken : result.broken) {
      const ghc::Unit &unit = read.units[broken.unit];
      if (unit.db != top)
        continue;
      ++count;
      std::string reason;
      nlohmann::ordered_json problems = nlohmann::ordered_json::array();
      for (const ghc::Problem &problem : broken.problems) {
        reason += (reason.empty() ? "" : "; ") + problem.detail;
        problems.push_back({{"kind", ghc::problem_kind_name(problem.kind)}, {"unit", problem.unit_id}});
      }
      out.findings.push_back({Severity::BrokenNow, "ghc", "broken-unit", inside(unit.path),
                              unit.info.id + ": " + reason, {ghc::package_of(unit.info)},
                              {{"unit", unit.info.id}, {"database", inside(stack[top])},
                               {"problems", std::move(problems)}}});
    }
    return count;
  }
};

} // namespace

std::unique_ptr<AuditSection> make_ghc_section() { return std::make_unique<GhcSection>(); }

} // namespace abitag::audit
