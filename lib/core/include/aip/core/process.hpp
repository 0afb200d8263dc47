// Runs a program without a shell (argv as given, so no user value is ever parsed by a
// shell), feeding its stdin and capturing stdout and stderr, with a time limit.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace aip {

struct ProcessOptions {
  std::string input;                                // bytes for the child's stdin (then EOF)
  std::vector<std::string> set_env;                 // "NAME=value" added to the environment
  std::optional<std::chrono::milliseconds> timeout; // SIGTERM, then SIGKILL after 2 s
  std::string workdir;                              // empty: inherit
};

struct ProcessResult {
  int exit_code = -1; // the status, or 128 + signal like a shell reports it
  bool timed_out = false;
  std::string out, err;
};

// Looks `name` up on PATH (or takes it as is when it has a '/'); throws Exit::unavailable
// when it cannot be started.
ProcessResult run_process(const std::vector<std::string> &argv, const ProcessOptions &options = {});

// The executable's full path on PATH, or nothing.
std::optional<std::string> find_on_path(const std::string &name);

} // namespace aip
