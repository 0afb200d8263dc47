// Fair share against hand calculations: the classic factor 2^(-U/S) and Fair Tree ranks
// worked out in the comments from Slurm's published definitions.
#include <aip/accounting/fairshare.hpp>

#include <gtest/gtest.h>

#include <cmath>

using namespace aip;
using namespace aip::accounting;

namespace {
records::Usage used(const char *project, const char *user, double core_hours, double now) {
  records::Usage u;
  u.record_id = std::string(project) + user;
  u.project = project;
  u.user = user;
  u.cores = 1;
  u.end = now;
  u.start = now - core_hours * 3600;
  u.wall_s = u.end - u.start;
  return u;
}
} // namespace

TEST(AccountFairshare, ClassicAndFairTreeByHand) {
  // Accounts A and B with one share each; alice and bob in A, carol in B, one share each.
  // Normalised shares: alice 0.25, bob 0.25, carol 0.5. No decay; usage 30, 10, 60 core
  // hours: U = 0.3, 0.1, 0.6.
  auto tree = ShareTree::parse("A 1\nA/alice 1\nA/bob 1\nB 1  # comment\nB/carol 1\n", "tree");
  FairshareOptions o;
  o.now = 1e9;
  o.half_life_s = 0;
  Fairshare f(std::move(tree), o);
  f.add(used("A", "alice", 30, o.now));
  f.add(used("A", "bob", 10, o.now));
  f.add(used("B", "carol", 60, o.now));
  f.add(used("C", "dave", 5, o.now)); // not in the tree
  auto r = f.finish();
  EXPECT_EQ(r.unassociated, 1U);
  ASSERT_EQ(r.users.size(), 3U);
  // Fair Tree: root level A: S 0.5, U 0.4, LF 1.25; B: S 0.5, U 0.6, LF 0.833: A first.
  // In A: alice S 0.5, U 0.75, LF 0.667; bob S 0.5, U 0.25, LF 2: bob first.
  // Ranks 3, 2, 1 of 3 users: bob 1, alice 2/3, carol 1/3.
  EXPECT_EQ(r.users[0].user, "bob");
  EXPECT_DOUBLE_EQ(r.users[0].fair_tree, 1.0);
  EXPECT_DOUBLE_EQ(r.users[0].level_fs, 2.0);
  EXPECT_EQ(r.users[1].user, "alice");
  EXPECT_DOUBLE_EQ(r.users[1].fair_tree, 2.0 / 3);
  EXPECT_EQ(r.users[2].user, "carol");
  EXPECT_EQ(r.users[2].account, "B");
  EXPECT_DOUBLE_EQ(r.users[2].fair_tree, 1.0 / 3);
  // Classic: 2^(-0.3/0.25) = 2^-1.2 = 0.43527528164806206; 2^(-0.1/0.25) = 2^-0.4 =
  // 0.7578582832551990; carol 2^(-0.6/0.5) = 2^-1.2.
  EXPECT_NEAR(r.users[1].classic, 0.43527528164806206, 1e-12);
  EXPECT_NEAR(r.users[0].classic, 0.7578582832551990, 1e-12);
  EXPECT_NEAR(r.users[2].classic, 0.43527528164806206, 1e-12);
  EXPECT_DOUBLE_EQ(r.users[1].norm_shares, 0.25);
  EXPECT_DOUBLE_EQ(r.users[1].norm_usage, 0.3);
  EXPECT_DOUBLE_EQ(r.users[1].raw_usage, 30 * 3600);
}

TEST(AccountFairshare, TiesShareARankAndUnusedComesFirst) {
  // A and B tie (no usage anywhere below: LF infinity), their users are sorted together.
  // x used nothing (LF infinity) and ranks first; y and z tie.
  auto tree = ShareTree::parse("A 1\nA/x 1\nA/y 1\nB 1\nB/z 1\n", "tree");
  FairshareOptions o;
  o.now = 1e9;
  o.half_life_s = 0;
  Fairshare f(std::move(tree), o);
  auto r = f.finish();
  ASSERT_EQ(r.users.size(), 3U);
  for (const auto &u : r.users) EXPECT_DOUBLE_EQ(u.fair_tree, 1.0); // all tied at the top
  Fairshare g(ShareTree::parse("A 1\nA/x 1\nA/y 1\n", "tree"), o);
  g.add(used("A", "y", 1, o.now));
  r = g.finish();
  EXPECT_EQ(r.users[0].user, "x");
  EXPECT_DOUBLE_EQ(r.users[0].fair_tree, 1.0);
  EXPECT_DOUBLE_EQ(r.users[1].fair_tree, 0.5);
  EXPECT_DOUBLE_EQ(r.users[0].classic, 1.0); // 2^0
}

TEST(AccountFairshare, HalfLifeDecay) {
  // 3600 cores for one second ending exactly one half-life ago weigh about half: the
  // integral over [now-h-1, now-h] of 2^(-(now-t)/h) dt = h/ln2 * (2^-1 - 2^(-(h+1)/h)),
  // which for h = 7 days is 0.49999971 s per core.
  FairshareOptions o;
  o.now = 1e9;
  records::Usage u;
  u.cores = 3600;
  u.end = o.now - o.half_life_s;
  u.start = u.end - 1;
  u.wall_s = 1;
  EXPECT_NEAR(decayed_usage(u, o), 3600 * 0.49999971, 0.01);
  o.half_life_s = 0;
  EXPECT_DOUBLE_EQ(decayed_usage(u, o), 3600);
  u.start = o.now + 10; // not started yet
  u.end = o.now + 20;
  EXPECT_DOUBLE_EQ(decayed_usage(u, o), 0);
}

TEST(AccountFairshare, TreeErrorsNameTheLine) {
  try {
    ShareTree::parse("A 1\nA/b/c 1\n", "shares.conf");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::data);
    EXPECT_NE(std::string(e.what()).find("shares.conf:2: 'A/b' is not defined above this line"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ShareTree::parse("A x\n", "t"), Error);
  EXPECT_THROW(ShareTree::parse("A 1\nA 2\n", "t"), Error);
  EXPECT_THROW(ShareTree::parse("# nothing\n", "t"), Error);
}
