#include "aip/accounting/fairshare.hpp"

#include <aip/core/error.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

namespace aip::accounting {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}
} // namespace

ShareTree ShareTree::parse(std::string_view text, const std::string &name) {
  ShareTree t;
  t.root = std::make_unique<ShareNode>();
  t.root->name = "root";
  std::uint64_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    auto where = name + ":" + std::to_string(line_no) + ": ";
    auto space = line.find_first_of(" \t");
    if (space == std::string_view::npos)
      data_error(where + "expected 'PATH SHARES', e.g. 'physics/alice 10'");
    auto path = line.substr(0, space);
    auto value = trim(line.substr(space));
    double shares = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), shares);
    if (ec != std::errc() || ptr != value.data() + value.size() || !(shares > 0) ||
        !std::isfinite(shares))
      data_error(where + "shares: expected a positive number, got '" + std::string(value) + "'");
    ShareNode *node = t.root.get();
    std::size_t start = 0;
    while (start <= path.size()) {
      auto slash = path.find('/', start);
      auto part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                     : slash - start);
      if (part.empty()) data_error(where + "empty name in path '" + std::string(path) + "'");
      auto it = std::find_if(node->children.begin(), node->children.end(),
                             [&](const auto &c) { return c->name == part; });
      if (it == node->children.end()) {
        if (slash != std::string_view::npos)
          data_error(where + "'" + std::string(path.substr(0, slash)) +
                     "' is not defined above this line");
        auto child = std::make_unique<ShareNode>();
        child->name = std::string(part);
        child->parent = node;
        child->shares = shares;
        node->children.push_back(std::move(child));
        break;
      }
      if (slash == std::string_view::npos)
        data_error(where + "'" + std::string(path) + "' is defined twice");
      node = it->get();
      start = slash + 1;
    }
  }
  if (t.root->children.empty()) data_error(name + ": no accounts");
  return t;
}

double decayed_usage(const records::Usage &u, const FairshareOptions &o) {
  const double amount = o.gpu ? u.gpus : u.cores;
  const double s = std::min(u.start, o.now), e = std::min(u.end, o.now);
  if (amount <= 0 || e <= s) return 0;
  // A job's wall time may be shorter than end - start (suspended); scale to it.
  const double scale =
      u.wall_s > 0 && u.end > u.start ? std::min(1.0, u.wall_s / (u.end - u.start)) : 1.0;
  if (o.half_life_s <= 0) return amount * (e - s) * scale;
  // Integral of 2^(-(now - t)/h) dt from s to e = h/ln2 * (2^(-(now-e)/h) - 2^(-(now-s)/h)).
  const double h = o.half_life_s;
  return amount * scale * h / std::log(2.0) *
         (std::exp2(-(o.now - e) / h) - std::exp2(-(o.now - s) / h));
}

Fairshare::Fairshare(ShareTree tree, FairshareOptions options)
    : tree_(std::move(tree)), options_(options) {}

void Fairshare::add(const records::Usage &u) {
  add_decayed(u.project, u.user, decayed_usage(u, options_), 1);
}

void Fairshare::add_decayed(const std::string &project, const std::string &user, double v,
                            std::uint64_t records) {
  // The user's leaf under an account named like the record's project, anywhere in the tree.
  ShareNode *found = nullptr;
  std::vector<ShareNode *> stack{tree_.root.get()};
  while (!stack.empty() && found == nullptr) {
    auto *n = stack.back();
    stack.pop_back();
    for (auto &c : n->children) {
      if (n != tree_.root.get() && n->name == project && c->name == user && c->children.empty()) {
        found = c.get();
        break;
      }
      stack.push_back(c.get());
    }
  }
  if (found == nullptr) {
    unassociated_ += records;
    return;
  }
  for (ShareNode *n = found; n != nullptr; n = n->parent) n->usage += v;
}

FairshareResult Fairshare::finish() {
  FairshareResult r;
  r.unassociated = unassociated_;
  const double total = tree_.root->usage;
  struct Info {
    double norm_shares, level_fs;
  };
  std::map<const ShareNode *, Info> info;
  // Normalised shares and level fair share, top down.
  std::vector<const ShareNode *> todo{tree_.root.get()};
  info[tree_.root.get()] = {1.0, 1.0};
  while (!todo.empty()) {
    auto *n = todo.back();
    todo.pop_back();
    double shares = 0, usage = 0;
    for (const auto &c : n->children) {
      shares += c->shares;
      usage += c->usage;
    }
    for (const auto &c : n->children) {
      double s = c->shares / shares;
      double u = usage > 0 ? c->usage / usage : 0;
      info[c.get()] = {info[n].norm_shares * s,
                       u > 0 ? s / u : std::numeric_limits<double>::infinity()};
      todo.push_back(c.get());
    }
  }
  // Fair Tree: depth first, siblings by LF descending; tied siblings are merged, so that their
  // children are sorted together, and tied users get one rank.
  std::vector<const ShareNode *> order; // users, best first
  std::vector<std::size_t> tie_group;   // users with equal LF in one merged level share a group
  std::size_t group = 0;
  std::function<void(std::vector<const ShareNode *>)> walk =
      [&](std::vector<const ShareNode *> level) {
        std::stable_sort(level.begin(), level.end(), [&](const ShareNode *a, const ShareNode *b) {
          return info[a].level_fs > info[b].level_fs;
        });
        for (std::size_t i = 0; i < level.size();) {
          std::size_t j = i;
          while (j < level.size() && info[level[j]].level_fs == info[level[i]].level_fs) ++j;
          std::vector<const ShareNode *> merged_children;
          ++group;
          for (std::size_t k = i; k < j; ++k) {
            if (level[k]->is_user()) {
              order.push_back(level[k]);
              tie_group.push_back(group);
            }
            for (const auto &c : level[k]->children) merged_children.push_back(c.get());
          }
          if (!merged_children.empty()) walk(merged_children);
          i = j;
        }
      };
  std::vector<const ShareNode *> top;
  for (const auto &c : tree_.root->children) top.push_back(c.get());
  walk(top);
  const double n_users = static_cast<double>(order.size());
  double rank = n_users;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && tie_group[j] == tie_group[i]) ++j;
    for (std::size_t k = i; k < j; ++k) {
      const ShareNode *n = order[k];
      FairshareRow row;
      row.user = n->name;
      for (const ShareNode *p = n->parent; p != nullptr && p->parent != nullptr; p = p->parent)
        row.account = p->name + (row.account.empty() ? "" : "/" + row.account);
      row.raw_shares = n->shares;
      row.norm_shares = info[n].norm_shares;
      row.raw_usage = n->usage;
      row.norm_usage = total > 0 ? n->usage / total : 0;
      row.level_fs = info[n].level_fs;
      row.classic = std::exp2(-row.norm_usage / row.norm_shares);
      row.fair_tree = rank / n_users;
      r.users.push_back(std::move(row));
    }
    rank -= static_cast<double>(j - i);
    i = j;
  }
  return r;
}

} // namespace aip::accounting
