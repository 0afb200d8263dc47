// Fair share over an account/user share tree, from usage records:
//  - Slurm's classic factor F = 2^(-U/S): S the user's normalised shares (its share of its
//    siblings' shares, times its account's, up to the root), U its normalised usage (its
//    decayed usage over all decayed usage); Slurm's "classic_fair_share" page;
//  - Slurm's Fair Tree ranking: at every level siblings are ordered by their level fair share
//    LF = S/U (shares and usage as fractions of the siblings'; no usage: infinity), walked
//    depth first, and users ranked in that order; the factor is rank / number of users;
//    siblings with equal LF share their users' ranks (Slurm's "fair_tree" page).
// Usage decays with a half-life (default 7 days): a job running from s to e contributes
// cores x the integral of 2^(-(now - t)/half_life) dt over [s, e] (continuous decay).
#pragma once

#include <aip/records/usage.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aip::accounting {

// The share tree, from text: one node a line, "PATH SHARES", where PATH is
// account[/subaccount...]/user; the last part of a path with no children is a user.
// '#' starts a comment. Usage goes to the user leaf whose parent account is the record's
// project and whose name is the record's user.
struct ShareNode {
  std::string name;
  double shares = 1;
  std::vector<std::unique_ptr<ShareNode>> children;
  ShareNode *parent = nullptr;
  double usage = 0; // decayed core (or GPU) seconds, summed up the tree
  bool is_user() const {
    return children.empty() && parent != nullptr && parent->parent != nullptr;
  }
};

struct ShareTree {
  std::unique_ptr<ShareNode> root;
  static ShareTree parse(std::string_view text,
                         const std::string &name); // 65 on errors, naming the line
};

struct FairshareOptions {
  double now = 0;                 // epoch seconds
  double half_life_s = 7 * 86400; // 0: no decay
  bool gpu = false;               // usage in GPU seconds instead of core seconds
};

struct FairshareRow {
  std::string account, user;
  double raw_shares = 0, norm_shares = 0;
  double raw_usage = 0, norm_usage = 0; // decayed seconds; fraction of all
  double level_fs = 0;                  // S/U among siblings (infinity: no usage)
  double classic = 0;                   // 2^(-U/S)
  double fair_tree = 0;                 // rank / users
};

struct FairshareResult {
  std::vector<FairshareRow> users; // in Fair Tree order, highest factor first
  std::uint64_t unassociated = 0;  // records whose project/user is not in the tree
};

// Decayed usage of one record at `now`.
double decayed_usage(const records::Usage &usage, const FairshareOptions &options);

class Fairshare {
public:
  Fairshare(ShareTree tree, FairshareOptions options);
  void add(const records::Usage &usage);
  // Usage already decayed (from the database): `records` records of one project and user.
  void add_decayed(const std::string &project, const std::string &user, double usage,
                   std::uint64_t records);
  FairshareResult finish();

private:
  ShareTree tree_;
  FairshareOptions options_;
  std::uint64_t unassociated_ = 0;
};

} // namespace aip::accounting
