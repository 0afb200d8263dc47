// A tool made of subcommands (`aip account import ...`): one place for what every such tool
// does before a subcommand runs: usage on no command (exit 64), --help, --version,
// --describe (the line `aip --help` lists), and an unknown name (a usage error naming the
// known ones).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace aip::cli {

struct Subcommand {
  std::string name;
  std::function<int(int argc, const char *const argv[])> run; // argv[0] is the subcommand
  bool listed = true; // false: an alias, not named in errors
};

int run_subcommands(const std::string &tool, const std::string &usage, const std::string &describe,
                    const std::vector<Subcommand> &commands, int argc, const char *const argv[]);

} // namespace aip::cli
