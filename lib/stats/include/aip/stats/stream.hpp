// Streaming change detectors: one value at a time, a verdict per update, and a state that
// can be saved to JSON and restored, so a cron job continues the same stream across runs.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace aip::stats {

enum class Signal { none, warning, drift };

class Detector {
public:
  virtual ~Detector() = default;
  virtual std::string name() const = 0;
  virtual Signal update(double value) = 0;
  virtual void reset() = 0;
  // The statistic compared with the threshold after the last update, and that threshold.
  virtual double statistic() const = 0;
  virtual double threshold() const = 0;
  virtual nlohmann::json parameters() const = 0;
  virtual nlohmann::json save() const = 0;       // the running state
  virtual void restore(const nlohmann::json &state) = 0;
  std::uint64_t seen() const { return seen_; } // updates since the last reset
protected:
  std::uint64_t seen_ = 0;
};

// Parameters by name ("delta", "lambda", "alpha", "min_instances", "warning", "drift");
// unknown names are a usage error. Defaults are Frouros 0.9's.
struct DetectorOptions {
  nlohmann::json params = nlohmann::json::object();
};

// "page-hinkley", "cusum", "ddm". Unknown names are a usage error naming the known ones.
std::unique_ptr<Detector> make_detector(const std::string &method, const DetectorOptions &options = {});
const char *detector_names();

} // namespace aip::stats
