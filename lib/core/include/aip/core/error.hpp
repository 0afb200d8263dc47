// One error type for the whole project: it carries the exit status the tool ends with
// (see aip(7), EXIT STATUS) and a message that already says where the problem is.
#pragma once

#include <stdexcept>
#include <string>

namespace aip {

// Exit statuses of the architecture; values follow BSD sysexits(3) where one fits.
enum class Exit : int {
  ok = 0,           // done, nothing found
  finding = 1,      // drift detected, quality below the bar, a quota refused
  usage = 64,       // bad flags or arguments
  data = 65,        // bad input data
  no_input = 66,    // an input file is missing or unreadable
  unavailable = 69, // a service (database, batch engine, API server) is unavailable
  internal = 70,    // a bug
  cant_create = 73, // an output cannot be created
  io = 74,          // an I/O error while reading or writing
  temp_fail = 75,   // try again later: a lock is held, a server is busy
};

class Error : public std::runtime_error {
public:
  Error(Exit status, const std::string &message) : std::runtime_error(message), status_(status) {}
  Exit status() const noexcept { return status_; }
  int exit_code() const noexcept { return static_cast<int>(status_); }

private:
  Exit status_;
};

// Shorthands for the common cases, so call sites read as what went wrong.
[[noreturn]] inline void fail(Exit status, const std::string &message) {
  throw Error(status, message);
}
[[noreturn]] inline void usage_error(const std::string &message) {
  throw Error(Exit::usage, message);
}
[[noreturn]] inline void data_error(const std::string &message) {
  throw Error(Exit::data, message);
}

} // namespace aip
