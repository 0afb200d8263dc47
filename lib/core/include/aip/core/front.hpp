// The `aip` front (git's model): `aip TOOL ARGS...` runs the executable aip-TOOL found beside
// the front or on PATH, so sites can add their own aip-foo.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::front {

// The tools of the architecture, in the order `aip --help` lists them.
const std::vector<std::string> &known_tools();

// Folders searched for aip-TOOL: the front's own folder first, then PATH.
std::vector<std::string> search_path(const std::string &self_dir, const std::string &path_env);

// The folder of the running executable (/proc/self/exe).
std::string self_dir();

// The full path of aip-NAME in `dirs`, or nothing.
std::optional<std::string> find_tool(const std::string &name, const std::vector<std::string> &dirs);

// Names (without the aip- prefix) of every aip-* executable in `dirs`, sorted, each once.
std::vector<std::string> installed_tools(const std::vector<std::string> &dirs);

// Optimal string alignment distance (Levenshtein with adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate to a mistyped name, when close enough to be a likely typo.
std::optional<std::string> suggest(std::string_view name,
                                   const std::vector<std::string> &candidates);

} // namespace aip::front
