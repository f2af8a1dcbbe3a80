// SPDX-License-Identifier: MIT
// The audit's report by package: each finding's file named with the installed
// packages that own it, the packages to rebuild (dependencies first) with the
// files under each, the files no package owns (orphans, as cave fix-linkage
// says "not owned by any installed package"), and each damaged database
// entry as a finding.
#pragma once

#include <nlohmann/json.hpp>

#include "audit/report.h"
#include "packages/owner_index.h"

namespace abitag::audit {

// {manager, name, version, slot, architecture, repository}.
nlohmann::ordered_json package_json(const packages::PackageId &id);

// The file a rebuild entry of a finding names, or empty: sections write
// them as InstalledPackages::describe() gives them, "PATH (package NAME)",
// and may add what to rebuild it with or against.
std::string file_to_rebuild(const std::string &entry);

// Fills REPORT's packages, orphans and rebuild cycles and each finding's
// packages from INSTALLED, and adds its damaged entries as findings. Only
// findings of LOWEST or more severe, and never informational ones, are
// rolled up: a report cut to what is broken now rebuilds only that. Nothing
// is rolled up when no database was found under the root.
void roll_up_by_package(AuditReport &report, packages::InstalledPackages &installed,
                        Severity lowest = Severity::AtRisk);

} // namespace abitag::audit
