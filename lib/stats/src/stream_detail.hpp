// Shared by the streaming detectors' sources: parameter reading and the constructors the
// factory in stream.cpp calls.
#pragma once

#include <aip/stats/stream.hpp>

#include <memory>
#include <set>
#include <string>

namespace aip::stats::detail {

double param(const nlohmann::json &p, const char *name, double fallback);
void only(const nlohmann::json &p, const std::set<std::string> &known, const std::string &method);
void need_error_value(double x, const char *method); // 0 or 1, else a data error

std::unique_ptr<Detector> make_adwin(const nlohmann::json &p);
std::unique_ptr<Detector> make_kswin(const nlohmann::json &p);
std::unique_ptr<Detector> make_incremental_ks(const nlohmann::json &p,
                                              const std::vector<double> &reference);
std::unique_ptr<Detector> make_hddm_a(const nlohmann::json &p);
std::unique_ptr<Detector> make_hddm_w(const nlohmann::json &p);

} // namespace aip::stats::detail
