// SPDX-License-Identifier: MIT
// What the tagger tests share: running abitag's store commands on a store of
// their own, and reading that store back with the sqlite3 tool.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support.h"

namespace abitag::test {

// A run that must succeed; its stderr is shown when it did not.
inline void require_ok(const Run &r) {
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// SQL making an empty store as an abitag of schema VERSION (1 or 2) wrote it;
// the caller adds rows and sets PRAGMA user_version.
inline std::string old_schema(int version) {
  std::string sql = "PRAGMA journal_mode=WAL;"
                    "CREATE TABLE tags (package TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
                    " source TEXT NOT NULL, time INTEGER NOT NULL, PRIMARY KEY (package, key)) WITHOUT ROWID;"
                    "CREATE TABLE locks (package TEXT NOT NULL, dependency TEXT NOT NULL, key TEXT NOT NULL,"
                    " value TEXT NOT NULL, time INTEGER NOT NULL, PRIMARY KEY (package, dependency, key))"
                    " WITHOUT ROWID;";
  if (version >= 2)
    sql += "CREATE INDEX locks_by_dependency ON locks (dependency, key);";
  return sql;
}

// abitag COMMAND --db DB ARGS...
inline Run tagger(const std::string &db, const std::string &command, std::vector<std::string> args = {},
                  const std::string &input = "") {
  args.insert(args.begin(), {command, "--db", db});
  return run(abitag_binary(), args, input);
}

// The rows sqlite3 prints for SQL, one "a|b|c" line each.
inline std::vector<std::string> sqlite_rows(const std::string &db, const std::string &sql) {
  require_tool("sqlite3", "sqlite3");
  Run r = run("sqlite3", {db, sql});
  if (r.exit_code != 0)
    return {"sqlite3 failed: " + r.err};
  return lines(r.out);
}

} // namespace abitag::test
