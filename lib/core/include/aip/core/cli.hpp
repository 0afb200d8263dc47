// Command-line conventions every tool keeps (ARCHITECTURE.md, "Conventions"): --help with a
// synopsis and examples, --version, -o/--output, --format, and options also read from INI
// files and AIP_* environment variables. Lowest first: /etc/aip/aip.conf,
// $XDG_CONFIG_HOME/aip/aip.conf, AIP_* variables, flags.
#pragma once

#include "aip/core/io.hpp"

#include <boost/program_options.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::cli {

namespace po = boost::program_options;

// What --help and --version say about a command.
struct Command {
  std::string tool;     // "drift": the program is aip-drift, its config section [drift]
  std::string name;     // a subcommand ("detect"), or empty
  std::string summary;  // one line, also printed by --describe for `aip --help`
  std::string synopsis; // usage lines without the leading "Usage: "
  std::string examples; // lines of "  $ command   # what it does"
};

// Where options come from; tests replace these.
struct Sources {
  std::vector<std::string> config_files; // lowest priority first
  std::vector<std::string> environment;  // "NAME=value" entries
  static Sources from_process();         // the real files and environment
};

// The standard config file list: /etc/aip/aip.conf (or $AIP_SYSTEM_CONFIG), then
// $XDG_CONFIG_HOME/aip/aip.conf (default ~/.config).
std::vector<std::string> default_config_files();

class Parser {
public:
  explicit Parser(Command command);

  // The tool's own options.
  po::options_description_easy_init add() { return options_.add_options(); }
  po::options_description &options() { return options_; }
  // Positional arguments: `name` takes `max` values (-1 for any number).
  void positional(const char *name, int max) { positional_.add(name, max); }
  // Standard options. --format lists its values in --help; the default is chosen by
  // format() (table on a terminal, jsonl otherwise) unless `fixed_default` is given.
  void add_output();
  void add_format(std::vector<std::string> formats, std::string fixed_default = "");

  // Returns the options, or nothing when --help, --version or --describe was answered.
  // Bad flags throw aip::Error with the usage status (64).
  std::optional<po::variables_map> parse(int argc, const char *const argv[],
                                         const Sources &sources = Sources::from_process());

  std::string help() const;
  std::string version() const;
  const Command &command() const { return command_; }

  // The output format for this run: --format, or table for a terminal, jsonl otherwise.
  std::string format(const po::variables_map &vm, const Output &out) const;

private:
  void store_config(const std::string &path, po::variables_map &vm) const;
  void store_environment(const Sources &sources, po::variables_map &vm) const;

  Command command_;
  po::options_description options_;
  po::options_description hidden_;
  po::positional_options_description positional_;
  std::vector<std::string> formats_;
  std::string format_default_;
};

// Runs a tool's body: sets the program name for diagnostics, turns aip::Error into its exit
// status and message, and anything unexpected into status 70.
int run(std::string_view program, const std::function<int()> &body);

// s without leading and trailing spaces, tabs and carriage returns (configuration lines).
std::string trim(std::string_view s);

// The configuration files' syntax, read the same way by every tool: '#' and ';' start a
// comment line, "[header]" opens a section, "name = value" sets a value (double quotes
// around it are dropped). on_section(header, where) runs for each header and on_entry for
// each value, with the header of its section ("" before the first); `where` is
// "name:line". A malformed line is a usage error naming them.
struct IniEntry {
  const std::string &section;
  std::string key, value, where;
};
void read_ini(
    std::string_view text, const std::string &name,
    const std::function<void(const std::string &header, const std::string &where)> &on_section,
    const std::function<void(const IniEntry &)> &on_entry);

// Shell-style word list for messages, e.g. "jsonl, csv or table".
std::string join_choices(const std::vector<std::string> &values);

// The items of a repeatable, comma-separated option (--method ks,cvm --method mmd), in
// order; empty items are dropped.
std::vector<std::string> split_list(const std::vector<std::string> &values);

} // namespace aip::cli
