// aip.event/v1: what happened to a job, as `aip dispatch` reports it.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace aip::records {

inline constexpr const char *kEventKind = "aip.event/v1";

enum class JobState {
  queued,
  submitted,
  running,
  succeeded,
  failed,
  cancelled,
  preempted,
  timeout
};
std::string to_string(JobState s);
JobState parse_job_state(const std::string &text); // throws Exit::data
bool is_final(JobState s); // succeeded, failed, cancelled, timeout (preempted may requeue)

struct Event {
  std::string job_id, backend;
  std::optional<std::string> backend_id;
  JobState state = JobState::queued;
  double at = 0;
  std::optional<int> exit_code;
  std::string reason;
  bool operator==(const Event &) const = default;
};

nlohmann::ordered_json to_json(const Event &event);
Event event_from_json(const nlohmann::json &j, const std::string &where);

} // namespace aip::records
