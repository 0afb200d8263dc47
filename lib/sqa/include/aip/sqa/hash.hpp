// Content identifiers computed offline: SHA-1 (FIPS 180-4), git's object ids and the
// Software Heritage identifiers built on them (SWHID 1: swh:1:cnt: is git's blob id,
// swh:1:dir: its tree id, swh:1:rev: its commit id).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aip::sqa {

class Sha1 {
public:
  Sha1();
  void update(std::string_view bytes);
  std::array<std::uint8_t, 20> digest(); // ends the hash; the object is spent afterwards
  std::string hex();

private:
  void block(const std::uint8_t *p);
  std::array<std::uint32_t, 5> h_;
  std::array<std::uint8_t, 64> buf_{};
  std::size_t used_ = 0;
  std::uint64_t length_ = 0;
};

std::string sha1_hex(std::string_view bytes);

// git's id of a blob: SHA-1 of "blob <size>\0" followed by the bytes.
std::string git_blob_id(std::string_view content);

// One entry of a git tree: mode "100644", "100755", "120000" (link) or "40000" (folder).
struct TreeEntry {
  std::string mode;
  std::string name;
  std::string id; // 40 hex digits
};
// git's id of a tree made of these entries (sorted as git sorts: folders compare as name + '/').
std::string git_tree_id(std::vector<TreeEntry> entries);

// The SWHID of a folder on disk, as `git write-tree` gives it with every file added (and
// Software Heritage's swh:1:dir: is that tree id): regular files, executables and symbolic
// links; empty folders are left out as git leaves them, and so is the top-level .git.
std::string directory_swhid(const std::string &root);

bool is_hex_id(std::string_view s); // 40 lowercase hex digits

} // namespace aip::sqa
