#include "aip/core/front.hpp"

#include <algorithm>
#include <dirent.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace aip::front {
namespace {
bool is_executable_file(const std::string &path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}
} // namespace

const std::vector<std::string> &known_tools() {
  static const std::vector<std::string> tools{"submit", "dispatch", "meter",    "account",
                                              "drift",  "catalog",  "sqa-check"};
  return tools;
}

std::vector<std::string> search_path(const std::string &self, const std::string &path_env) {
  std::vector<std::string> dirs;
  if (!self.empty()) dirs.push_back(self);
  std::size_t start = 0;
  while (start <= path_env.size()) {
    auto colon = path_env.find(':', start);
    std::string dir =
        path_env.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return dirs;
}

std::string self_dir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string exe(buf, static_cast<std::size_t>(n));
  auto slash = exe.rfind('/');
  return slash == std::string::npos ? "" : exe.substr(0, slash);
}

std::optional<std::string> find_tool(const std::string &name,
                                     const std::vector<std::string> &dirs) {
  // A name is a word: no path separators, no leading dash, nothing a shell would expand.
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '-' || name[0] == '.')
    return std::nullopt;
  for (const auto &dir : dirs) {
    std::string candidate = dir + "/aip-" + name;
    if (is_executable_file(candidate)) return candidate;
  }
  return std::nullopt;
}

std::vector<std::string> installed_tools(const std::vector<std::string> &dirs) {
  std::set<std::string> names;
  for (const auto &dir : dirs) {
    DIR *d = ::opendir(dir.c_str());
    if (d == nullptr) continue;
    while (dirent *e = ::readdir(d)) {
      std::string file = e->d_name;
      if (file.rfind("aip-", 0) != 0 || file.size() <= 4) continue;
      if (is_executable_file(dir + "/" + file)) names.insert(file.substr(4));
    }
    ::closedir(d);
  }
  return {names.begin(), names.end()};
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Damerau's optimal string alignment variant: insertions, deletions, substitutions and
  // transpositions of adjacent characters each cost 1.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> suggest(std::string_view name,
                                   const std::vector<std::string> &candidates) {
  std::optional<std::string> best;
  std::size_t best_d = SIZE_MAX;
  for (const auto &c : candidates) {
    std::size_t d = edit_distance(name, c);
    // A prefix of a tool's name ("acc" for "account") is also a likely intent.
    if (c.rfind(name, 0) == 0 && name.size() >= 2) d = std::min<std::size_t>(d, 1);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Close enough: at most a third of the longer name, and never more than 3 edits.
  if (best && best_d <= std::min<std::size_t>(3, std::max(name.size(), best->size()) / 3 + 1) &&
      best_d < name.size())
    return best;
  return std::nullopt;
}

} // namespace aip::front
