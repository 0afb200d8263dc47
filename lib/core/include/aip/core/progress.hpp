// Progress on stderr for long work: drawn only when stderr is a terminal, never in pipes or
// cron, at most ten times a second, and erased when done.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace aip {

class Progress {
public:
  // total == 0: unknown, shows a count instead of a percentage.
  Progress(std::string label, std::uint64_t total = 0);
  ~Progress();
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  void update(std::uint64_t done);
  void finish();
  bool active() const { return active_; }
  // The line that would be drawn (tests).
  std::string render(std::uint64_t done, double elapsed_s) const;
  // Forces drawing on or off (tests; tools with --progress / --no-progress).
  void set_active(bool on) { active_ = on; }

private:
  std::string label_;
  std::uint64_t total_;
  bool active_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

} // namespace aip
