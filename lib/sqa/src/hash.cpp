#include "aip/sqa/hash.hpp"

#include "aip/core/error.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace aip::sqa {

namespace {
std::uint32_t rol(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
const char *kHex = "0123456789abcdef";
} // namespace

Sha1::Sha1() : h_{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u} {}

// FIPS 180-4, section 6.1.2: 80 rounds over a schedule of 16 words expanded to 80.
void Sha1::block(const std::uint8_t *p) {
  std::uint32_t w[80];
  for (int i = 0; i < 16; ++i)
    w[i] = (std::uint32_t(p[4 * i]) << 24) | (std::uint32_t(p[4 * i + 1]) << 16) |
           (std::uint32_t(p[4 * i + 2]) << 8) | std::uint32_t(p[4 * i + 3]);
  for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
  for (int i = 0; i < 80; ++i) {
    std::uint32_t f, k;
    if (i < 20)
      f = (b & c) | (~b & d), k = 0x5A827999u;
    else if (i < 40)
      f = b ^ c ^ d, k = 0x6ED9EBA1u;
    else if (i < 60)
      f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDCu;
    else
      f = b ^ c ^ d, k = 0xCA62C1D6u;
    const std::uint32_t t = rol(a, 5) + f + e + k + w[i];
    e = d, d = c, c = rol(b, 30), b = a, a = t;
  }
  h_[0] += a, h_[1] += b, h_[2] += c, h_[3] += d, h_[4] += e;
}

void Sha1::update(std::string_view bytes) {
  auto p = reinterpret_cast<const std::uint8_t *>(bytes.data());
  std::size_t n = bytes.size();
  length_ += n;
  if (used_ > 0) {
    const std::size_t take = std::min(n, 64 - used_);
    std::memcpy(buf_.data() + used_, p, take);
    used_ += take, p += take, n -= take;
    if (used_ < 64) return;
    block(buf_.data());
    used_ = 0;
  }
  for (; n >= 64; p += 64, n -= 64) block(p);
  std::memcpy(buf_.data(), p, n);
  used_ = n;
}

std::array<std::uint8_t, 20> Sha1::digest() {
  const std::uint64_t bits = length_ * 8;
  const std::uint8_t one = 0x80, zero = 0;
  update(std::string_view(reinterpret_cast<const char *>(&one), 1));
  while (used_ != 56) update(std::string_view(reinterpret_cast<const char *>(&zero), 1));
  std::uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  update(std::string_view(reinterpret_cast<const char *>(len), 8));
  std::array<std::uint8_t, 20> out{};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * j));
  return out;
}

std::string Sha1::hex() {
  std::string s;
  for (auto b : digest()) s += kHex[b >> 4], s += kHex[b & 15];
  return s;
}

std::string sha1_hex(std::string_view bytes) {
  Sha1 h;
  h.update(bytes);
  return h.hex();
}

std::string git_blob_id(std::string_view content) {
  Sha1 h;
  const std::string header = "blob " + std::to_string(content.size());
  h.update(std::string_view(header.c_str(), header.size() + 1));
  h.update(content);
  return h.hex();
}

bool is_hex_id(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string git_tree_id(std::vector<TreeEntry> entries) {
  auto key = [](const TreeEntry &e) { return e.mode == "40000" ? e.name + "/" : e.name; };
  std::sort(entries.begin(), entries.end(),
            [&](const TreeEntry &a, const TreeEntry &b) { return key(a) < key(b); });
  std::string body;
  for (const auto &e : entries) {
    body += e.mode + " " + e.name;
    body += '\0';
    for (std::size_t i = 0; i < 40; i += 2)
      body += static_cast<char>(std::stoi(e.id.substr(i, 2), nullptr, 16));
  }
  Sha1 h;
  const std::string header = "tree " + std::to_string(body.size());
  h.update(std::string_view(header.c_str(), header.size() + 1));
  h.update(body);
  return h.hex();
}

namespace {
namespace fs = std::filesystem;

// The tree id of a folder, or empty when it holds no file (git stores no empty trees).
std::string tree_of(const fs::path &dir, bool top) {
  std::vector<TreeEntry> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (top && name == ".git") continue;
    const auto st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(st)) {
      entries.push_back({"120000", name, git_blob_id(fs::read_symlink(it->path()).string())});
    } else if (fs::is_directory(st)) {
      auto id = tree_of(it->path(), false);
      if (!id.empty()) entries.push_back({"40000", name, id});
    } else if (fs::is_regular_file(st)) {
      std::ifstream in(it->path(), std::ios::binary);
      if (!in) fail(Exit::no_input, it->path().string() + ": cannot read");
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const bool exec = (st.permissions() & fs::perms::owner_exec) != fs::perms::none;
      entries.push_back({exec ? "100755" : "100644", name, git_blob_id(content)});
    }
  }
  if (ec) fail(Exit::io, dir.string() + ": " + ec.message());
  if (entries.empty()) return {};
  return git_tree_id(std::move(entries));
}
} // namespace

std::string directory_swhid(const std::string &root) {
  auto id = tree_of(root, true);
  if (id.empty()) id = git_tree_id({});
  return "swh:1:dir:" + id;
}

} // namespace aip::sqa
