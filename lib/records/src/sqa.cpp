#include "aip/records/sqa.hpp"

#include "aip/records/fields.hpp"

namespace aip::records {

nlohmann::ordered_json to_json(const SqaCriterion &c) {
  nlohmann::ordered_json j;
  j["kind"] = kSqaKind;
  j["id"] = c.id;
  j["valid"] = c.valid;
  auto &subs = j["subcriteria"] = nlohmann::ordered_json::object();
  for (const auto &[id, s] : c.subcriteria) {
    auto &o = subs[id] = {{"valid", s.valid}, {"evidence", s.evidence}};
    if (s.level) o["level"] = *s.level;
    if (s.status) o["status"] = *s.status;
    if (!s.scorecard.empty()) o["scorecard"] = s.scorecard;
  }
  if (c.name) j["name"] = *c.name;
  if (c.assessed) j["assessed"] = *c.assessed;
  if (c.badge) j["badge"] = *c.badge;
  if (c.score) j["score"] = *c.score;
  if (c.next_badge) j["next_badge"] = *c.next_badge;
  if (!c.missing.empty()) j["missing"] = c.missing;
  return j;
}

SqaCriterion sqa_from_json(const nlohmann::json &json, const std::string &where) {
  FieldReader f(json, where);
  f.require_kind(kSqaKind);
  SqaCriterion c;
  c.id = f.string("id");
  c.valid = f.boolean("valid");
  if (auto subs = f.optional_object("subcriteria")) {
    for (const auto &[id, value] : subs->json().items()) {
      FieldReader s(value, where, "subcriteria." + id + ".");
      Subcriterion sub;
      sub.valid = s.boolean("valid");
      sub.evidence = s.strings("evidence");
      sub.level = s.optional_string("level");
      if (sub.level && *sub.level != "MUST" && *sub.level != "SHOULD" && *sub.level != "MAY")
        s.fail("level", "expected MUST, SHOULD or MAY, got '" + *sub.level + "'");
      sub.status = s.optional_string("status");
      if (sub.status && *sub.status != "pass" && *sub.status != "fail" &&
          *sub.status != "not-assessable" && *sub.status != "not-applicable" &&
          *sub.status != "waived")
        s.fail("status", "expected pass, fail, not-assessable, not-applicable or waived, got '" +
                             *sub.status + "'");
      sub.scorecard = s.strings("scorecard");
      c.subcriteria[id] = sub;
    }
  }
  c.badge = f.optional_string("badge");
  if (c.badge && *c.badge != "gold" && *c.badge != "silver" && *c.badge != "bronze" &&
      *c.badge != "none")
    f.fail("badge", "expected gold, silver, bronze or none, got '" + *c.badge + "'");
  c.score = f.optional_number("score");
  if (c.score && (*c.score < 0 || *c.score > 100)) f.fail("score", "must be within 0..100");
  c.name = f.optional_string("name");
  c.assessed = f.optional_boolean("assessed");
  c.next_badge = f.optional_string("next_badge");
  if (c.next_badge && *c.next_badge != "gold" && *c.next_badge != "silver" &&
      *c.next_badge != "bronze")
    f.fail("next_badge", "expected bronze, silver or gold, got '" + *c.next_badge + "'");
  c.missing = f.strings("missing");
  return c;
}

} // namespace aip::records
