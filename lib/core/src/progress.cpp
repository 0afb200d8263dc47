#include "aip/core/progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace aip {

Progress::Progress(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), active_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

Progress::~Progress() { finish(); }

std::string Progress::render(std::uint64_t done, double elapsed_s) const {
  char buf[160];
  double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  if (total_ > 0) {
    double pct = 100.0 * static_cast<double>(done) / static_cast<double>(total_);
    std::snprintf(buf, sizeof buf, "%s: %5.1f%% (%llu/%llu, %.0f/s)", label_.c_str(), pct,
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                  rate);
  } else {
    std::snprintf(buf, sizeof buf, "%s: %llu (%.0f/s)", label_.c_str(),
                  static_cast<unsigned long long>(done), rate);
  }
  return buf;
}

void Progress::update(std::uint64_t done) {
  if (!active_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  std::string line =
      "\r" + render(done, std::chrono::duration<double>(now - start_).count()) + "\033[K";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }
}

} // namespace aip
