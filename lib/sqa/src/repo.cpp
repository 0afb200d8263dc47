#include "aip/sqa/repo.hpp"

#include "aip/core/error.hpp"
#include "aip/core/process.hpp"
#include "aip/sqa/hash.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace aip::sqa {

namespace fs = std::filesystem;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::optional<std::string> slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The git folder: .git, or the folder a .git file points to (worktrees, submodules).
std::optional<fs::path> git_dir(const fs::path &root) {
  const auto dot = root / ".git";
  std::error_code ec;
  if (fs::is_directory(dot, ec)) return dot;
  if (fs::is_regular_file(dot, ec)) {
    auto text = slurp(dot);
    if (text && text->rfind("gitdir: ", 0) == 0) {
      fs::path p = trim(text->substr(8));
      return p.is_absolute() ? p : root / p;
    }
  }
  return std::nullopt;
}

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

// Removes "user:password@" from a URL so a token in a remote never reaches a report.
std::string without_credentials(const std::string &url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto at = url.find('@', scheme + 3), slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, scheme + 3) + url.substr(at + 1);
}

} // namespace

std::optional<std::string> read_head(const std::string &root) {
  auto dir = git_dir(root);
  if (!dir) return std::nullopt;
  auto head = slurp(*dir / "HEAD");
  if (!head) return std::nullopt;
  auto h = trim(*head);
  if (is_hex_id(h)) return h;
  if (h.rfind("ref: ", 0) != 0) return std::nullopt;
  const auto ref = h.substr(5);
  // A worktree keeps its HEAD in its own folder and shares refs with the main one.
  std::vector<fs::path> dirs{*dir};
  if (auto common = slurp(*dir / "commondir")) {
    fs::path c = trim(*common);
    dirs.push_back(c.is_absolute() ? c : *dir / c);
  }
  for (const auto &d : dirs) {
    if (auto loose = slurp(d / ref); loose && is_hex_id(trim(*loose))) return trim(*loose);
    if (auto packed = slurp(d / "packed-refs")) {
      for (const auto &l : lines(*packed))
        if (l.size() > 41 && l.compare(41, std::string::npos, ref) == 0 &&
            is_hex_id(l.substr(0, 40)))
          return l.substr(0, 40);
    }
  }
  return std::nullopt;
}

GitFacts git_facts(const std::string &root) {
  GitFacts g;
  g.repository = git_dir(root).has_value();
  const bool have_git = find_on_path("git").has_value();
  ProcessOptions po;
  po.timeout = std::chrono::seconds(60);
  if (!g.repository && have_git) {
    // A folder inside a repository (a monorepo's component) is under version control too.
    auto r = run_process(
        {"git", "-c", "safe.directory=*", "-C", root, "rev-parse", "--is-inside-work-tree"}, po);
    g.repository = r.exit_code == 0 && trim(r.out) == "true";
  }
  if (!g.repository) {
    g.problem = "no .git in " + root;
    return g;
  }
  if (auto h = read_head(root)) g.head = *h;
  if (!have_git) {
    g.problem = "git is not installed; facts read from .git directly";
    return g;
  }
  g.git_available = true;
  // safe.directory: a checkout owned by another user (CI containers) is still readable.
  auto git = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"git", "-c", "safe.directory=*", "-C", root};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, po);
  };
  auto r = git({"rev-parse", "--verify", "-q", "HEAD"});
  if (r.exit_code == 0) g.head = trim(r.out);
  if (!g.head.empty()) {
    if (auto t = git({"rev-parse", "HEAD^{tree}"}); t.exit_code == 0) g.tree = trim(t.out);
    if (auto m = git({"rev-list", "--merges", "--count", "HEAD"}); m.exit_code == 0)
      g.merges = std::stoull("0" + trim(m.out));
  }
  if (auto b = git({"symbolic-ref", "-q", "--short", "HEAD"}); b.exit_code == 0)
    g.branch = trim(b.out);
  if (auto s = git({"rev-parse", "--is-shallow-repository"}); s.exit_code == 0)
    g.shallow = trim(s.out) == "true";
  if (auto t = git({"tag", "-l"}); t.exit_code == 0) g.tags = lines(t.out);
  if (auto b = git({"for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes"});
      b.exit_code == 0)
    g.branches = lines(b.out);
  if (auto o = git({"config", "--get", "remote.origin.url"}); o.exit_code == 0)
    g.origin = without_credentials(trim(o.out));
  if (g.head.empty()) g.problem = "the repository has no commit yet";
  return g;
}

bool glob_match(std::string_view p, std::string_view s) {
  // Recursive over the pattern: patterns are short, and each '*' tries at most one path part.
  if (p.empty()) return s.empty();
  if (p.substr(0, 2) == "**") {
    auto rest = p.substr(2);
    if (!rest.empty() && rest.front() == '/') {
      // "**/" matches zero or more whole folders.
      rest.remove_prefix(1);
      if (glob_match(rest, s)) return true;
      for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == '/' && glob_match(rest, s.substr(i + 1))) return true;
      return false;
    }
    for (std::size_t i = 0; i <= s.size(); ++i)
      if (glob_match(rest, s.substr(i))) return true;
    return false;
  }
  if (p.front() == '*') {
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (glob_match(p.substr(1), s.substr(i))) return true;
      if (i < s.size() && s[i] == '/') break;
    }
    return false;
  }
  if (s.empty()) return false;
  if (p.front() == '?' ? s.front() == '/' : p.front() != s.front()) return false;
  return glob_match(p.substr(1), s.substr(1));
}

bool ignored(const std::vector<std::string> &patterns, std::string_view path) {
  for (const auto &pat : patterns) {
    if (pat.empty()) continue;
    if (pat.back() == '/') {
      const auto dir = std::string_view(pat).substr(0, pat.size() - 1);
      if (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/')
        return true;
      if (glob_match(std::string(dir) + "/**", path)) return true;
    } else if (glob_match(pat, path)) {
      return true;
    }
  }
  return false;
}

Walk walk(const std::string &root, const GitFacts &git, const std::vector<std::string> &ignore) {
  Walk w;
  std::vector<std::string> paths;
  bool listed = false;
  if (git.repository && git.git_available) {
    ProcessOptions po;
    po.timeout = std::chrono::seconds(120);
    auto r = run_process({"git", "-c", "safe.directory=*", "-C", root, "ls-files", "-z", "--cached",
                          "--others", "--exclude-standard", "--deduplicate"},
                         po);
    if (r.exit_code == 0) {
      std::size_t start = 0;
      for (std::size_t i = 0; i < r.out.size(); ++i)
        if (r.out[i] == '\0') {
          if (i > start) paths.emplace_back(r.out, start, i - start);
          start = i + 1;
        }
      listed = true;
      w.gitignore_honoured = true;
    } else {
      w.warnings.push_back("git ls-files failed (" + trim(r.err) + "); every file is listed");
    }
  }
  if (!listed) {
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec),
        end;
    if (ec) fail(Exit::no_input, root + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) {
        w.warnings.push_back(root + ": " + ec.message());
        ec.clear();
        continue;
      }
      const auto rel = it->path().lexically_relative(root).generic_string();
      if (it->path().filename() == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      // recursive_directory_iterator does not follow links unless asked, so loops end here.
      std::error_code sec;
      if (it->is_symlink(sec) || !it->is_directory(sec)) paths.push_back(rel);
    }
  }
  std::erase_if(paths, [&](const std::string &p) { return ignored(ignore, p); });
  std::sort(paths.begin(), paths.end());
  w.files.resize(paths.size());
  std::vector<std::string> missing(paths.size());
  tbb::parallel_for(std::size_t(0), paths.size(), [&](std::size_t i) {
    auto &f = w.files[i];
    f.path = std::move(paths[i]);
    struct stat st {};
    if (::lstat((root + "/" + f.path).c_str(), &st) != 0) {
      missing[i] = f.path;
      return;
    }
    f.size = static_cast<std::uint64_t>(st.st_size);
    f.mode = st.st_mode & 07777;
    f.link = S_ISLNK(st.st_mode);
    f.regular = S_ISREG(st.st_mode);
  });
  // Tracked files deleted from the working tree are not part of it.
  std::size_t k = 0;
  for (std::size_t i = 0; i < w.files.size(); ++i)
    if (missing[i].empty()) {
      if (k != i) w.files[k] = std::move(w.files[i]);
      ++k;
    }
  w.files.resize(k);
  return w;
}

} // namespace aip::sqa
