// Where aip keeps state (queue, local backend): --state-dir, else AIP_STATE_DIR (both reach
// tools through the option), else $XDG_STATE_HOME/aip, else ~/.local/state/aip.
#pragma once

#include <string>

namespace aip {

// `option` is the value of --state-dir (empty when not given). Does not create the folder.
std::string state_dir(const std::string &option = "");

// Creates `path` and its parents (mode 0700 for new folders); throws Exit::cant_create.
void make_dirs(const std::string &path);

} // namespace aip
