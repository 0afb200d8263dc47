// What a checkout holds: its files (honouring .gitignore through git when the checkout is a
// git repository) and its version-control facts. Symbolic links are listed, never followed,
// so link loops cannot trap the walk; unreadable folders are reported, not fatal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aip::sqa {

struct FileEntry {
  std::string path; // relative, '/'-separated
  std::uint64_t size = 0;
  unsigned mode = 0; // st_mode permission bits (07777)
  bool link = false;
  bool regular = false;
};

struct GitFacts {
  bool repository = false;    // a .git folder or file is present
  bool git_available = false; // the git program could be run
  std::string head;           // commit id of HEAD, empty without commits
  std::string tree;           // tree id of HEAD
  std::string branch;         // current branch, empty when detached
  bool shallow = false;
  std::vector<std::string> tags;
  std::vector<std::string> branches; // local and remote-tracking
  std::uint64_t merges = 0;          // merge commits reachable from HEAD
  std::string origin;                // remote.origin.url, credentials removed
  std::string problem;               // why facts are missing, in words
};

struct Walk {
  std::vector<FileEntry> files; // sorted by path
  std::vector<std::string> warnings;
  bool gitignore_honoured = false;
};

// Reads HEAD without the git program: .git/HEAD, then the loose ref or packed-refs.
std::optional<std::string> read_head(const std::string &root);

GitFacts git_facts(const std::string &root);

// Lists the files of the checkout except .git and paths matching `ignore` (glob patterns:
// '*' within a path part, '**' across parts, a trailing '/' for a folder and all below it).
Walk walk(const std::string &root, const GitFacts &git, const std::vector<std::string> &ignore);

bool glob_match(std::string_view pattern, std::string_view path);
bool ignored(const std::vector<std::string> &patterns, std::string_view path);

} // namespace aip::sqa
