// Streaming change detectors: one value at a time, a verdict per update, and a state that
// can be saved to JSON and restored, so a cron job continues the same stream across runs.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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
  virtual nlohmann::json save() const = 0; // the running state
  virtual void restore(const nlohmann::json &state) = 0;
  std::uint64_t seen() const { return seen_; } // updates since the last reset
protected:
  std::uint64_t seen_ = 0;
};

// Parameters by name (see detector_parameters()); unknown names are a usage error.
// Defaults are Frouros 0.9's unless the method's comment says otherwise. `reference` is the
// fixed reference sample of the incremental KS detector ("ks"); the others ignore it.
struct DetectorOptions {
  nlohmann::json params = nlohmann::json::object();
  std::vector<double> reference;
};

// "page-hinkley", "cusum", "gma", "ddm", "eddm", "hddm-a", "hddm-w", "stepd", "adwin",
// "kswin", "ks". Unknown names are a usage error naming the known ones.
std::unique_ptr<Detector> make_detector(const std::string &method,
                                        const DetectorOptions &options = {});
const char *detector_names();
// The parameters each method takes, for --help and the manual: "method: a, b, c" lines.
const char *detector_parameters();

} // namespace aip::stats
