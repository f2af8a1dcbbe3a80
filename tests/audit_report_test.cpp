// SPDX-License-Identifier: MIT
// The audit's JSON report (audit/report): the document is built by moving
// each section's details into it, never by copying them.
#include <catch2/catch.hpp>

#include "audit/report.h"

using namespace abitag::audit;

TEST_CASE("a JSON object made with room takes its keys without moving what is already in it", "[audit]") {
  nlohmann::ordered_json doc = object_with_room(3);
  CHECK(doc.dump() == "{}");
  doc["first"] = nlohmann::ordered_json::array({"a large value", "of many parts"});
  const nlohmann::ordered_json *first = &doc["first"];
  doc["second"] = 2;
  doc["third"] = 3;
  // Had the object grown, its first member would have been copied elsewhere.
  CHECK(&doc["first"] == first);
  CHECK(doc.dump() == R"({"first":["a large value","of many parts"],"second":2,"third":3})");
}

TEST_CASE("the JSON report keeps each finding's details and each section's summary", "[audit]") {
  AuditReport report;
  report.root = "/image";
  report.files_read = 2;
  SectionReport section;
  section.name = "linkage";
  Finding finding{Severity::BrokenNow, "linkage", "missing-library", "/usr/bin/x", "needs libgone.so.1",
                  {"/usr/bin/x (package x)"}, {{"library", "libgone.so.1"}}};
  section.findings.push_back(finding);
  section.summary = {{"linked", 2}, {"unresolved", {{"/usr/bin/x", {"f", "g"}}}}};
  report.sections.push_back(section);
  nlohmann::ordered_json doc = render_json(std::move(report));
  CHECK(doc["root"] == "/image");
  CHECK(doc["counts"]["broken-now"] == 1);
  REQUIRE(doc["findings"].size() == 1);
  CHECK(doc["findings"][0]["details"]["library"] == "libgone.so.1");
  CHECK(doc["findings"][0]["rebuild"][0] == "/usr/bin/x (package x)");
  CHECK(doc["sections"]["linkage"]["unresolved"]["/usr/bin/x"][1] == "g");
}
