#include "aip/core/cli.hpp"

#include "aip/core/diag.hpp"
#include "aip/core/error.hpp"
#include "aip/core/version.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

extern char **environ;

namespace aip::cli {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

void read_ini(std::string_view text, const std::string &name,
              const std::function<void(const std::string &, const std::string &)> &on_section,
              const std::function<void(const IniEntry &)> &on_entry) {
  std::string section;
  int number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    const std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++number;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    std::string where = name + ":" + std::to_string(number);
    if (t.front() == '[') {
      if (t.back() != ']') usage_error(where + ": expected [section]");
      section = trim(std::string_view(t).substr(1, t.size() - 2));
      if (on_section) on_section(section, where);
      continue;
    }
    const auto eq = t.find('=');
    if (eq == std::string::npos) usage_error(where + ": expected 'name = value'");
    IniEntry e{section, trim(std::string_view(t).substr(0, eq)),
               trim(std::string_view(t).substr(eq + 1)), std::move(where)};
    if (e.value.size() >= 2 && e.value.front() == '"' && e.value.back() == '"')
      e.value = e.value.substr(1, e.value.size() - 2);
    on_entry(e);
  }
}

namespace {

std::string program_of(const Command &c) { return "aip-" + c.tool; }

} // namespace

Sources Sources::from_process() {
  Sources s;
  s.config_files = default_config_files();
  for (char **e = environ; e != nullptr && *e != nullptr; ++e) s.environment.emplace_back(*e);
  return s;
}

std::vector<std::string> default_config_files() {
  std::vector<std::string> files;
  const char *system = std::getenv("AIP_SYSTEM_CONFIG");
  files.emplace_back(system != nullptr && *system != '\0' ? system : "/etc/aip/aip.conf");
  const char *xdg = std::getenv("XDG_CONFIG_HOME");
  const char *home = std::getenv("HOME");
  if (xdg != nullptr && *xdg != '\0')
    files.push_back(std::string(xdg) + "/aip/aip.conf");
  else if (home != nullptr && *home != '\0')
    files.push_back(std::string(home) + "/.config/aip/aip.conf");
  return files;
}

std::vector<std::string> split_list(const std::vector<std::string> &values) {
  std::vector<std::string> out;
  for (const auto &v : values) {
    std::size_t start = 0;
    for (;;) {
      const auto comma = v.find(',', start);
      auto item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!item.empty()) out.push_back(std::move(item));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::string join_choices(const std::vector<std::string> &values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += i + 1 == values.size() ? " or " : ", ";
    out += values[i];
  }
  return out;
}

Parser::Parser(Command command)
    : command_(std::move(command)), options_("Options", 100, 50), hidden_("Hidden") {
  options_.add_options()("help,h", "show this help and exit")("version",
                                                              "show the version and exit");
  hidden_.add_options()("describe", "print the one-line summary (for `aip --help`)");
}

void Parser::add_output() {
  options_.add_options()("output,o", po::value<std::string>()->value_name("FILE"),
                         "write to FILE (atomically) instead of standard output");
}

void Parser::add_format(std::vector<std::string> formats, std::string fixed_default) {
  formats_ = std::move(formats);
  format_default_ = std::move(fixed_default);
  std::string help = "output format: " + join_choices(formats_);
  if (!format_default_.empty())
    help += " (default " + format_default_ + ")";
  else
    help += " (default: table on a terminal, jsonl otherwise)";
  options_.add_options()("format,f", po::value<std::string>()->value_name("FMT"), help.c_str());
}

std::string Parser::format(const po::variables_map &vm, const Output &out) const {
  std::string f;
  if (vm.count("format") != 0U)
    f = vm["format"].as<std::string>();
  else if (!format_default_.empty())
    f = format_default_;
  else
    f = out.is_terminal() ? "table" : "jsonl";
  if (std::find(formats_.begin(), formats_.end(), f) == formats_.end())
    usage_error("unknown format '" + f + "': expected " + join_choices(formats_));
  return f;
}

std::string Parser::version() const { return program_of(command_) + " (aip) " AIP_VERSION "\n"; }

std::string Parser::help() const {
  std::ostringstream out;
  std::string full = "aip " + command_.tool + (command_.name.empty() ? "" : " " + command_.name);
  out << "Usage: ";
  std::istringstream lines(command_.synopsis);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    out << (first ? "" : "       ") << line << '\n';
    first = false;
  }
  if (first) out << full << " [OPTIONS]\n";
  out << '\n' << command_.summary << "\n\n" << options_;
  if (!command_.examples.empty()) out << "\nExamples:\n" << command_.examples;
  if (!command_.examples.empty() && command_.examples.back() != '\n') out << '\n';
  out << "\nOptions also come from /etc/aip/aip.conf and $XDG_CONFIG_HOME/aip/aip.conf (["
      << command_.tool << "] section) and AIP_* variables; see aip(7).\nFull documentation: man "
      << program_of(command_) << '\n';
  return out.str();
}

void Parser::store_config(const std::string &path, po::variables_map &vm) const {
  std::ifstream in(path);
  if (!in) return; // a missing config file is normal
  // Within one file the tool's own section overrides the global keys, so the two are
  // stored apart, the section first (the first store of an option wins).
  po::parsed_options global(&options_), own_section(&options_);
  const std::string own = command_.tool;
  std::stringstream text;
  text << in.rdbuf();
  read_ini(text.str(), path, nullptr, [&](const IniEntry &e) {
    if (!e.section.empty() && e.section != own) return; // another tool's section
    const po::option_description *d = options_.find_nothrow(e.key, false);
    if (d == nullptr || e.key == "help" || e.key == "version") {
      // Global keys may belong to other tools; a key in our own section that no command of
      // ours knows is a typo worth a warning, unless it belongs to a sibling subcommand.
      if (!e.section.empty() && command_.name.empty())
        diag::warning(e.where + ": unknown option '" + e.key + "' in [" + e.section + "]");
      return;
    }
    (e.section.empty() ? global : own_section)
        .options.emplace_back(d->long_name(), std::vector<std::string>{e.value});
  });
  try {
    po::store(own_section, vm);
    po::store(global, vm);
  } catch (const po::error &e) {
    usage_error(path + ": " + e.what());
  }
}

void Parser::store_environment(const Sources &sources, po::variables_map &vm) const {
  po::parsed_options parsed(&options_);
  for (const auto &entry : sources.environment) {
    if (entry.rfind("AIP_", 0) != 0) continue;
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    std::string name = entry.substr(4, eq - 4);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
      return c == '_' ? '-' : static_cast<char>(std::tolower(c));
    });
    const po::option_description *d = options_.find_nothrow(name, false);
    if (d == nullptr || name == "help" || name == "version") continue;
    parsed.options.emplace_back(d->long_name(), std::vector<std::string>{entry.substr(eq + 1)});
  }
  try {
    po::store(parsed, vm);
  } catch (const po::error &e) {
    usage_error(std::string("in the environment: ") + e.what());
  }
}

std::optional<po::variables_map> Parser::parse(int argc, const char *const argv[],
                                               const Sources &sources) {
  po::options_description all;
  all.add(options_).add(hidden_);
  po::variables_map vm;
  try {
    // The first store of an option wins, so the sources go in from highest priority down.
    po::store(
        po::command_line_parser(argc, argv)
            .options(all)
            .positional(positional_)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .run(),
        vm);
  } catch (const po::error &e) {
    usage_error(std::string(e.what()) + " (try --help)");
  }
  if (vm.count("help") != 0U) {
    std::cout << help();
    return std::nullopt;
  }
  if (vm.count("version") != 0U) {
    std::cout << version();
    return std::nullopt;
  }
  if (vm.count("describe") != 0U) {
    std::cout << command_.summary << '\n';
    return std::nullopt;
  }
  store_environment(sources, vm);
  for (auto it = sources.config_files.rbegin(); it != sources.config_files.rend(); ++it)
    store_config(*it, vm);
  try {
    po::notify(vm);
  } catch (const po::error &e) {
    usage_error(std::string(e.what()) + " (try --help)");
  }
  return vm;
}

int run(std::string_view program, const std::function<int()> &body) {
  diag::set_program(program);
  try {
    return body();
  } catch (const Error &e) {
    diag::error(e.what());
    return e.exit_code();
  } catch (const po::error &e) {
    diag::error(std::string(e.what()) + " (try --help)");
    return static_cast<int>(Exit::usage);
  } catch (const std::bad_alloc &) {
    diag::error("out of memory");
    return static_cast<int>(Exit::internal);
  } catch (const std::exception &e) {
    diag::error(std::string("internal error: ") + e.what());
    return static_cast<int>(Exit::internal);
  }
}

} // namespace aip::cli
