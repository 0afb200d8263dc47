// Reading the small pseudo-files of /sys/fs/cgroup and /proc: one read(2) into a reused
// buffer, and the errno when a file cannot be read, because a group or process that vanished
// between listing and reading is normal, not an error.
#pragma once

#include <string>
#include <string_view>

namespace aip::metering {

// Reads `name` relative to the open folder `dirfd` (or an absolute path with dirfd
// AT_FDCWD) into `out`. Returns 0, or the errno of the failing call.
int read_small_file(int dirfd, const char *name, std::string &out);

// Whether an errno means "it went away while we looked" (ENOENT, ESRCH, ENODEV): skipped
// quietly. Any other errno is worth one warning.
bool is_vanished(int error);

// Warns once per kind of problem (for instance "permission denied reading memory.peak") in
// one run, so a node full of unreadable groups gives one line, not a flood.
class WarnOnce {
public:
  void warn(const std::string &key, const std::string &message);
  std::size_t count() const { return seen_; }

private:
  std::string keys_; // '\n'-separated keys already warned about
  std::size_t seen_ = 0;
};

} // namespace aip::metering
