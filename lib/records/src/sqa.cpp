#include "aip/records/sqa.hpp"

#include "aip/records/fields.hpp"

namespace aip::records {

nlohmann::ordered_json to_json(const SqaCriterion &c) {
  nlohmann::ordered_json j;
  j["kind"] = kSqaKind;
  j["id"] = c.id;
  j["valid"] = c.valid;
  auto &subs = j["subcriteria"] = nlohmann::ordered_json::object();
  for (const auto &[id, s] : c.subcriteria) subs[id] = {{"valid", s.valid}, {"evidence", s.evidence}};
  if (c.badge) j["badge"] = *c.badge;
  if (c.score) j["score"] = *c.score;
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
      c.subcriteria[id] = Subcriterion{s.boolean("valid"), s.strings("evidence")};
    }
  }
  c.badge = f.optional_string("badge");
  if (c.badge && *c.badge != "gold" && *c.badge != "silver" && *c.badge != "bronze" && *c.badge != "none")
    f.fail("badge", "expected gold, silver, bronze or none, got '" + *c.badge + "'");
  c.score = f.optional_number("score");
  if (c.score && (*c.score < 0 || *c.score > 100)) f.fail("score", "must be within 0..100");
  return c;
}

} // namespace aip::records
