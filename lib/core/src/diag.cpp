#include "aip/core/diag.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unistd.h>

namespace aip::diag {
namespace {
std::string g_program = "aip";
Color g_color = Color::automatic;
std::mutex g_mutex;

const char *colour_of(std::string_view level) {
  if (level == "error") return "\033[1;31m";
  if (level == "warning") return "\033[1;35m";
  return "\033[1;36m";
}

void emit(std::string_view level, std::string_view message) {
  std::string line = format(level, message, color_enabled());
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}
} // namespace

void set_program(std::string_view name) { g_program = std::string(name); }
const std::string &program() { return g_program; }
void set_color(Color mode) { g_color = mode; }

bool color_enabled() {
  if (g_color != Color::automatic) return g_color == Color::always;
  const char *no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char *term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(STDERR_FILENO) == 1;
}

std::string format(std::string_view level, std::string_view message, bool color) {
  std::string out;
  out.reserve(g_program.size() + level.size() + message.size() + 24);
  if (color) out += "\033[1m";
  out += g_program;
  out += ": ";
  if (color) {
    out += "\033[0m";
    out += colour_of(level);
  }
  out += level;
  out += ':';
  if (color) out += "\033[0m";
  out += ' ';
  out += message;
  out += '\n';
  return out;
}

void error(std::string_view message) { emit("error", message); }
void warning(std::string_view message) { emit("warning", message); }
void note(std::string_view message) { emit("note", message); }

} // namespace aip::diag
