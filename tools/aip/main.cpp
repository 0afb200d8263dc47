// aip: the front. `aip TOOL ARGS...` runs aip-TOOL from beside itself or from PATH.
#include <aip/core/cli.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/error.hpp>
#include <aip/core/front.hpp>
#include <aip/core/process.hpp>
#include <aip/core/version.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <unistd.h>

namespace {

using namespace aip;

const char *kUsage = "Usage: aip [--help] [--version] [--exec-path] TOOL [ARGS...]\n"
                     "       aip help [TOOL]\n";

std::vector<std::string> dirs() {
  const char *path = std::getenv("PATH");
  return front::search_path(front::self_dir(), path != nullptr ? path : "");
}

std::string describe(const std::string &path) {
  try {
    ProcessOptions options;
    options.timeout = std::chrono::seconds(2);
    auto r = run_process({path, "--describe"}, options);
    if (r.exit_code != 0) return "";
    auto nl = r.out.find('\n');
    return r.out.substr(0, nl);
  } catch (const Error &) {
    return "";
  }
}

int help() {
  std::cout << kUsage
            << "\naip: small Unix tools for research AI platforms. Each tool does one job; they\n"
               "compose through pipes and JSON Lines records (see aip(7)).\n\nInstalled tools:\n";
  auto d = dirs();
  auto tools = front::installed_tools(d);
  if (tools.empty()) std::cout << "  (none found beside aip or on PATH)\n";
  for (const auto &t : tools) {
    std::string line = "  " + t;
    line.resize(std::max<std::size_t>(line.size() + 2, 14), ' ');
    std::cout << line << describe(*front::find_tool(t, d)) << '\n';
  }
  std::cout
      << "\nExamples:\n"
         "  aip drift detect --reference ref.csv --current today.csv\n"
         "  aip account report --by project,month usage.jsonl\n"
         "  aip help drift          # the manual page of aip-drift\n"
         "\nRun 'aip TOOL --help' for a tool's options. Full documentation: man aip, man 7 aip\n";
  return 0;
}

[[noreturn]] void exec_man(const std::string &page) {
  std::vector<std::string> args{"man", page};
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execvp("man", argv.data());
  fail(Exit::unavailable, std::string("cannot run man: ") + std::strerror(errno));
}

[[noreturn]] void unknown(const std::string &name) {
  auto candidates = front::installed_tools(dirs());
  for (const auto &k : front::known_tools())
    if (std::find(candidates.begin(), candidates.end(), k) == candidates.end())
      candidates.push_back(k);
  std::string msg = "'" + name + "' is not an aip tool (see 'aip --help')";
  if (auto s = front::suggest(name, candidates)) msg += "; did you mean '" + *s + "'?";
  usage_error(msg);
}

int front_main(int argc, char **argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return static_cast<int>(Exit::usage);
  }
  std::string first = argv[1];
  if (first == "--help" || first == "-h") return help();
  if (first == "--version") {
    std::cout << "aip " AIP_VERSION "\n";
    return 0;
  }
  if (first == "--exec-path") {
    std::cout << front::self_dir() << '\n';
    return 0;
  }
  if (first == "help") {
    if (argc < 3) exec_man("aip");
    std::string tool = argv[2];
    if (!front::find_tool(tool, dirs())) unknown(tool);
    exec_man("aip-" + tool);
  }
  if (!first.empty() && first[0] == '-') usage_error("unknown option '" + first + "' (try --help)");
  auto tool = front::find_tool(first, dirs());
  if (!tool) unknown(first);
  std::vector<char *> args;
  std::string prog = *tool;
  args.push_back(prog.data());
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  ::execv(prog.c_str(), args.data());
  fail(Exit::unavailable, "cannot run '" + prog + "': " + std::strerror(errno));
}

} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip", [&] { return front_main(argc, argv); });
}
