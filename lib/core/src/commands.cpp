#include "aip/core/commands.hpp"

#include "aip/core/cli.hpp"
#include "aip/core/error.hpp"

#include <iostream>

namespace aip::cli {

int run_subcommands(const std::string &tool, const std::string &usage, const std::string &describe,
                    const std::vector<Subcommand> &commands, int argc, const char *const argv[]) {
  if (argc < 2) {
    std::cerr << usage;
    return static_cast<int>(Exit::usage);
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h") {
    std::cout << usage;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << Parser({tool, "", "", "", ""}).version();
    return 0;
  }
  if (cmd == "--describe") {
    std::cout << describe << "\n";
    return 0;
  }
  std::vector<std::string> names;
  for (const auto &c : commands) {
    if (c.name == cmd) return c.run(argc - 1, argv + 1);
    if (c.listed) names.push_back(c.name);
  }
  usage_error("unknown command '" + cmd + "': expected " + join_choices(names) + " (try --help)");
}

} // namespace aip::cli
