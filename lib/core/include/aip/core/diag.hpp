// Diagnostics on stderr as "aip-TOOL: error: ..." (also warning:, note:), coloured only when
// stderr is a terminal, TERM is not "dumb" and NO_COLOR is unset (https://no-color.org).
#pragma once

#include <string>
#include <string_view>

namespace aip::diag {

// The program name diagnostics start with; set once by the tool's main.
void set_program(std::string_view name);
const std::string &program();

// Overrides the terminal check (tests; --color=always|never where a tool offers it).
enum class Color { automatic, always, never };
void set_color(Color mode);
bool color_enabled();

void error(std::string_view message);
void warning(std::string_view message);
void note(std::string_view message);

// Formats one line without printing it (tests and callers that collect diagnostics).
std::string format(std::string_view level, std::string_view message, bool color);

} // namespace aip::diag
