#include "scan.hpp"

#include "aip/sqa/license.hpp"

#include <array>
#include <cctype>
#include <fcntl.h>
#include <map>
#include <unistd.h>

namespace aip::sqa::detail {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

static bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `needle` occurs in `hay` not inside a longer word.
bool has_word(std::string_view hay, std::string_view needle) {
  for (auto at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) {
    const bool before = at == 0 || !word_char(hay[at - 1]);
    const auto end = at + needle.size();
    const bool after = end >= hay.size() || !word_char(hay[end]);
    if (before && after) return true;
  }
  return false;
}

std::string base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}
std::string extension(std::string_view path) {
  auto b = base_name(path);
  auto dot = b.rfind('.');
  return dot == std::string::npos || dot == 0 ? std::string() : lower(b.substr(dot));
}
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::optional<std::string> read_bytes(const std::string &path, std::size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::string s;
  char buf[65536];
  ssize_t k;
  while ((k = ::read(fd, buf, sizeof buf)) > 0) {
    s.append(buf, static_cast<std::size_t>(k));
    if (s.size() > limit) break;
  }
  ::close(fd);
  if (k < 0) return std::nullopt;
  return s;
}

std::string language_of(const std::string &path) {
  static const std::map<std::string, std::string> ext{
      {".c", "C/C++"},        {".h", "C/C++"},       {".cc", "C/C++"},       {".cpp", "C/C++"},
      {".cxx", "C/C++"},      {".hpp", "C/C++"},     {".hh", "C/C++"},       {".hxx", "C/C++"},
      {".py", "Python"},      {".sh", "Shell"},      {".bash", "Shell"},     {".js", "JavaScript"},
      {".mjs", "JavaScript"}, {".ts", "JavaScript"}, {".jsx", "JavaScript"}, {".tsx", "JavaScript"},
      {".go", "Go"},          {".rs", "Rust"},       {".java", "Java"},      {".kt", "Java"},
      {".rb", "Ruby"},        {".r", "R"},           {".jl", "Julia"},       {".f90", "Fortran"},
      {".f", "Fortran"}};
  auto it = ext.find(extension(path));
  if (it != ext.end()) return it->second;
  return {};
}

// Comments that switch a linter off for a line or a file.
constexpr std::array<std::string_view, 12> kSuppressions{"NOLINT",
                                                         "noqa",
                                                         "pylint: disable",
                                                         "eslint-disable",
                                                         "shellcheck disable",
                                                         "cppcheck-suppress",
                                                         "# nosec",
                                                         "type: ignore",
                                                         "rubocop:disable",
                                                         "@SuppressWarnings",
                                                         "#[allow(",
                                                         "//nolint"};

void scan_text(std::string_view text, const std::string &path, Scan &s, bool build_file) {
  for (auto sup : kSuppressions)
    for (auto at = text.find(sup); at != std::string_view::npos;
         at = text.find(sup, at + sup.size()))
      ++s.suppressions;
  const auto head = text.substr(0, 16384);
  s.spdx_license = head.find("SPDX-License-Identifier:") != std::string_view::npos;
  if (s.spdx_license) s.spdx_ids = spdx_identifiers(head);
  s.spdx_copyright = head.find("SPDX-FileCopyrightText:") != std::string_view::npos ||
                     head.find("Copyright") != std::string_view::npos ||
                     head.find("©") != std::string_view::npos;
  s.fuzz = text.find("LLVMFuzzerTestOneInput(const") != std::string_view::npos ||
           text.find("import atheris") != std::string_view::npos ||
           (text.find("func Fuzz") != std::string_view::npos && path.ends_with("_test.go")) ||
           text.find("fuzz_target!") != std::string_view::npos;
  const bool test_file =
      path.find("test") != std::string::npos || path.find("spec") != std::string::npos;
  s.doubles = test_file && (text.find("gmock") != std::string_view::npos ||
                            text.find("unittest.mock") != std::string_view::npos ||
                            text.find("from unittest import mock") != std::string_view::npos ||
                            text.find("jest.mock") != std::string_view::npos ||
                            text.find("Mockito") != std::string_view::npos ||
                            text.find("@pytest.fixture") != std::string_view::npos ||
                            text.find("monkeypatch") != std::string_view::npos ||
                            text.find("sinon.") != std::string_view::npos);
  if (!build_file) return;
  // World-writable modes in install rules and scripts (QC.Sec04).
  std::size_t line = 1, start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto l = text.substr(start, end - start);
    const bool chmod =
        l.find("chmod") != std::string_view::npos || l.find("install ") != std::string_view::npos ||
        l.find("mkdir") != std::string_view::npos || l.find("umask") != std::string_view::npos;
    bool bad = l.find("WORLD_WRITE") != std::string_view::npos;
    if (chmod) {
      for (auto m : {"777", "666", "o+w", "a+w", "ugo+w", "1777", "umask 000", "umask 0000"}) {
        auto at = l.find(m);
        if (at != std::string_view::npos &&
            (at == 0 || !std::isdigit(static_cast<unsigned char>(l[at - 1])) ||
             std::string_view(m).size() > 3)) {
          bad = true;
          break;
        }
      }
    }
    if (bad)
      s.permissive.push_back(
          {path, line, "permissions open to everyone: " + std::string(l.substr(0, 120))});
    start = end + 1;
    ++line;
  }
}

std::string artefact_kind(std::string_view head, const std::string &path) {
  if (head.substr(0, 4) == "\x7f"
                           "ELF")
    return "ELF executable or library";
  if (head.substr(0, 2) == "MZ") return "Windows executable (PE)";
  if (head.size() >= 4) {
    const std::uint32_t m = std::uint32_t(static_cast<unsigned char>(head[0])) << 24 |
                            std::uint32_t(static_cast<unsigned char>(head[1])) << 16 |
                            std::uint32_t(static_cast<unsigned char>(head[2])) << 8 |
                            std::uint32_t(static_cast<unsigned char>(head[3]));
    if (m == 0xfeedfaceu || m == 0xfeedfacfu || m == 0xcefaedfeu || m == 0xcffaedfeu)
      return "Mach-O executable";
    if (m == 0xcafebabeu)
      return path.ends_with(".class") ? "Java class file" : "Mach-O universal binary or Java class";
  }
  static const std::map<std::string, std::string> ext{
      {".jar", "Java archive"},    {".war", "Java archive"},       {".class", "Java class file"},
      {".pyc", "Python bytecode"}, {".pyo", "Python bytecode"},    {".so", "shared library"},
      {".dll", "Windows library"}, {".exe", "Windows executable"}, {".dylib", "macOS library"},
      {".a", "static library"},    {".o", "object file"},          {".obj", "object file"},
      {".lib", "static library"},  {".whl", "Python wheel"},       {".msi", "Windows installer"}};
  auto it = ext.find(extension(path));
  return it == ext.end() ? std::string() : it->second;
}

bool is_build_file(const std::string &path) {
  const auto b = base_name(path);
  const auto e = extension(path);
  return b == "CMakeLists.txt" || e == ".cmake" || b == "Makefile" || b == "GNUmakefile" ||
         e == ".mk" || b == "Dockerfile" || b == "Containerfile" || e == ".sh" || e == ".bash" ||
         b == "rules" || e == ".spec" || b == "setup.py" || b == "meson.build" || e == ".service" ||
         b == "postinst" || path.starts_with(".ci/") || path.starts_with("scripts/");
}

} // namespace aip::sqa::detail
