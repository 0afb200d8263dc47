#include "aip/core/paths.hpp"

#include "aip/core/error.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace aip {

std::string state_dir(const std::string &option) {
  if (!option.empty()) return option;
  if (const char *env = std::getenv("AIP_STATE_DIR"); env != nullptr && *env != '\0') return env;
  if (const char *xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg == '/')
    return std::string(xdg) + "/aip";
  const char *home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    fail(Exit::cant_create, "cannot place the state folder: HOME is not set (use --state-dir)");
  return std::string(home) + "/.local/state/aip";
}

void make_dirs(const std::string &path) {
  if (path.empty()) return;
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      fail(Exit::cant_create, "cannot create folder '" + partial + "': " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    fail(Exit::cant_create, "cannot create folder '" + path + "': not a folder");
}

} // namespace aip
