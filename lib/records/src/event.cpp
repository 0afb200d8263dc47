#include "aip/records/event.hpp"

#include "aip/records/fields.hpp"

#include <aip/core/units.hpp>

#include <array>
#include <limits>

namespace aip::records {
namespace {
constexpr std::array<const char *, 8> kStates{"queued", "submitted", "running",   "succeeded",
                                              "failed", "cancelled", "preempted", "timeout"};
}

std::string to_string(JobState s) { return kStates[static_cast<std::size_t>(s)]; }

JobState parse_job_state(const std::string &text) {
  for (std::size_t i = 0; i < kStates.size(); ++i)
    if (text == kStates[i]) return static_cast<JobState>(i);
  data_error(
      "unknown state '" + text +
      "': expected queued, submitted, running, succeeded, failed, cancelled, preempted or timeout");
}

bool is_final(JobState s) {
  return s == JobState::succeeded || s == JobState::failed || s == JobState::cancelled ||
         s == JobState::timeout;
}

nlohmann::ordered_json to_json(const Event &e) {
  nlohmann::ordered_json j;
  j["kind"] = kEventKind;
  j["job_id"] = e.job_id;
  j["backend"] = e.backend;
  j["backend_id"] = value_or_null(e.backend_id);
  j["state"] = to_string(e.state);
  j["at"] = format_timestamp(e.at);
  j["exit_code"] = value_or_null(e.exit_code);
  if (!e.reason.empty()) j["reason"] = e.reason;
  return j;
}

Event event_from_json(const nlohmann::json &json, const std::string &where) {
  FieldReader f(json, where);
  f.require_kind(kEventKind);
  Event e;
  e.job_id = f.string("job_id");
  e.backend = f.string("backend");
  e.backend_id = f.optional_string("backend_id");
  const std::string state = f.string("state");
  try {
    e.state = parse_job_state(state);
  } catch (const Error &err) {
    f.fail("state", err.what());
  }
  e.at = f.timestamp("at");
  e.exit_code = f.optional_int("exit_code");
  e.reason = f.string_or("reason", "");
  return e;
}

} // namespace aip::records
