#include "aip/stats/univariate.hpp"

#include <aip/core/error.hpp>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/bessel.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <tbb/parallel_invoke.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace aip::stats {
namespace {

void need(const std::vector<double> &v, std::size_t at_least, const char *which, const char *test) {
  if (v.size() < at_least)
    data_error(std::string(test) + ": the " + which + " sample has " + std::to_string(v.size()) +
               " values; at least " + std::to_string(at_least) + " needed");
  for (double x : v)
    if (!std::isfinite(x)) data_error(std::string(test) + ": the " + which + " sample holds NaN or infinity");
}

// Midranks (1-based, ties get their mean rank) of the pooled sample a ++ b; also the tie
// correction term sum(t^3 - t).
std::vector<double> midranks(const std::vector<double> &a, const std::vector<double> &b, double &tie_term) {
  const std::size_t n = a.size() + b.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto value = [&](std::size_t i) { return i < a.size() ? a[i] : b[i - a.size()]; };
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return value(x) < value(y); });
  std::vector<double> rank(n);
  tie_term = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && value(order[j + 1]) == value(order[i])) ++j;
    double r = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = r;
    double t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }
  return rank;
}

} // namespace

double kolmogorov_sf(double x) {
  // Q_KS(x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2) (Kolmogorov 1933); for small x the
  // alternating series converges slowly, so 1 - the Jacobi theta form is used there.
  if (x <= 0) return 1;
  if (x < 1.18) {
    const double pi = M_PI;
    double y = std::exp(-pi * pi / (8 * x * x)), s = 0;
    for (int k = 1; k <= 7; k += 2) s += std::pow(y, k * k);
    return 1 - std::sqrt(2 * pi) / x * s;
  }
  double s = 0;
  for (int k = 1; k <= 100; ++k) {
    double term = std::exp(-2.0 * k * k * x * x);
    s += (k % 2 == 1 ? term : -term);
    if (term < 1e-17) break;
  }
  return std::clamp(2 * s, 0.0, 1.0);
}

double ks_exact_sf(std::size_t m, std::size_t n, double d) {
  // Probability that a uniformly random lattice path from (0,0) to (m,n) leaves the band
  // |i/m - j/n| < d (Hodges 1958). A(i,j), the share of paths to (i,j) that stayed inside,
  // obeys A(i,j) = A(i-1,j) i/(i+j) + A(i,j-1) j/(i+j), which keeps every value in [0, 1].
  const double mn = static_cast<double>(m) * static_cast<double>(n);
  // D is a multiple of 1/lcm(m, n): compare integers i*n - j*m against round(d*m*n).
  const auto h = static_cast<long long>(std::llround(d * mn));
  auto inside = [&](std::size_t i, std::size_t j) {
    long long diff = static_cast<long long>(i) * static_cast<long long>(n) - static_cast<long long>(j) * static_cast<long long>(m);
    return std::llabs(diff) < h;
  };
  std::vector<double> row(n + 1, 0.0);
  row[0] = 1.0;
  for (std::size_t j = 1; j <= n; ++j) row[j] = inside(0, j) ? row[j - 1] : 0.0;
  for (std::size_t i = 1; i <= m; ++i) {
    row[0] = inside(i, 0) ? row[0] : 0.0;
    for (std::size_t j = 1; j <= n; ++j) {
      if (!inside(i, j)) {
        row[j] = 0;
        continue;
      }
      double di = static_cast<double>(i), dj = static_cast<double>(j);
      row[j] = row[j] * (di / (di + dj)) + row[j - 1] * (dj / (di + dj));
    }
  }
  return std::clamp(1.0 - row[n], 0.0, 1.0);
}

TestResult ks_two_sample(std::vector<double> ref, std::vector<double> cur) {
  need(ref, 1, "reference", "ks");
  need(cur, 1, "current", "ks");
  tbb::parallel_invoke([&] { tbb::parallel_sort(ref.begin(), ref.end()); },
                       [&] { tbb::parallel_sort(cur.begin(), cur.end()); });
  const double n1 = static_cast<double>(ref.size()), n2 = static_cast<double>(cur.size());
  std::size_t i = 0, j = 0;
  double d = 0;
  while (i < ref.size() && j < cur.size()) {
    double x = std::min(ref[i], cur[j]);
    while (i < ref.size() && ref[i] == x) ++i;
    while (j < cur.size() && cur[j] == x) ++j;
    d = std::max(d, std::fabs(static_cast<double>(i) / n1 - static_cast<double>(j) / n2));
  }
  TestResult r;
  r.statistic = d;
  if (std::max(ref.size(), cur.size()) <= 10000) {
    r.mode = "exact";
    r.p_value = ks_exact_sf(ref.size(), cur.size(), d);
  } else {
    r.mode = "asymptotic";
    double en = std::sqrt(n1 * n2 / (n1 + n2));
    r.p_value = kolmogorov_sf((en + 0.12 + 0.11 / en) * d); // Stephens (1970)
  }
  return r;
}

namespace {
// Number of ways to reach each U for samples of sizes a, b without ties: the classic
// recurrence c(u; a, b) = c(u - b; a - 1, b) + c(u; a, b - 1) (Mann & Whitney 1947).
std::vector<double> u_distribution(std::size_t a, std::size_t b) {
  std::vector<std::vector<std::vector<double>>> memo(a + 1, std::vector<std::vector<double>>(b + 1));
  std::function<const std::vector<double> &(std::size_t, std::size_t)> f = [&](std::size_t x, std::size_t y) -> const std::vector<double> & {
    auto &m = memo[x][y];
    if (!m.empty()) return m;
    m.assign(x * y + 1, 0.0);
    if (x == 0 || y == 0) {
      m[0] = 1;
      return m;
    }
    const auto &p = f(x - 1, y);
    for (std::size_t u = 0; u < p.size(); ++u) m[u + y] += p[u];
    const auto &q = f(x, y - 1);
    for (std::size_t u = 0; u < q.size(); ++u) m[u] += q[u];
    return m;
  };
  return f(a, b);
}
} // namespace

TestResult mann_whitney(const std::vector<double> &ref, const std::vector<double> &cur) {
  need(ref, 1, "reference", "mannwhitney");
  need(cur, 1, "current", "mannwhitney");
  double ties;
  auto rank = midranks(ref, cur, ties);
  const double n1 = static_cast<double>(ref.size()), n2 = static_cast<double>(cur.size()), n = n1 + n2;
  double r1 = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) r1 += rank[i];
  const double u1 = r1 - n1 * (n1 + 1) / 2, u2 = n1 * n2 - u1;
  TestResult r;
  r.statistic = u1;
  r.extra = u1;
  const double u = std::max(u1, u2);
  if (ref.size() < 8 && cur.size() < 8 && ties == 0) {
    r.mode = "exact";
    auto counts = u_distribution(ref.size(), cur.size());
    double total = std::accumulate(counts.begin(), counts.end(), 0.0), tail = 0;
    for (std::size_t k = static_cast<std::size_t>(u); k < counts.size(); ++k) tail += counts[k];
    r.p_value = std::min(1.0, 2 * tail / total);
  } else {
    r.mode = "asymptotic";
    const double mu = n1 * n2 / 2;
    const double sigma = std::sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))));
    if (sigma == 0) {
      r.p_value = 1;
      return r;
    }
    double z = (u - mu - 0.5) / sigma;
    r.p_value = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(boost::math::normal(), z)));
  }
  return r;
}

TestResult welch_t(const std::vector<double> &ref, const std::vector<double> &cur) {
  need(ref, 2, "reference", "welch");
  need(cur, 2, "current", "welch");
  auto moments = [](const std::vector<double> &v, double &mean, double &var) {
    mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    var = ss / static_cast<double>(v.size() - 1);
  };
  double m1, v1, m2, v2;
  moments(ref, m1, v1);
  moments(cur, m2, v2);
  const double n1 = static_cast<double>(ref.size()), n2 = static_cast<double>(cur.size());
  const double a = v1 / n1, b = v2 / n2;
  TestResult r;
  r.mode = "analytic";
  if (a + b == 0) {
    r.statistic = m1 == m2 ? 0 : std::copysign(INFINITY, m1 - m2);
    r.p_value = m1 == m2 ? 1 : 0;
    return r;
  }
  r.statistic = (m1 - m2) / std::sqrt(a + b);
  // Welch-Satterthwaite degrees of freedom.
  const double df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1));
  r.extra = df;
  r.p_value = 2 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), std::fabs(r.statistic)));
  return r;
}

double cvm_limit_cdf(double x) {
  // Csorgo & Faraway (1996), eq. (1.3): the limiting distribution of the Cramer-von Mises
  // statistic as a series of modified Bessel functions K_{1/4}.
  if (x <= 0) return 0;
  double total = 0;
  for (int k = 0; k < 50; ++k) {
    const double y = (4.0 * k + 1) * (4.0 * k + 1) / (16 * x);
    if (y > 700) break;
    const double coef = std::exp(std::lgamma(k + 0.5) - std::lgamma(0.5) - std::lgamma(k + 1.0));
    const double term = coef * std::sqrt(4.0 * k + 1) * std::exp(-y) * boost::math::cyl_bessel_k(0.25, y);
    total += term;
    if (std::fabs(term) < 1e-16) break;
  }
  return std::clamp(total / (M_PI * std::sqrt(x)), 0.0, 1.0);
}

TestResult cramer_von_mises(const std::vector<double> &ref, const std::vector<double> &cur) {
  need(ref, 2, "reference", "cvm");
  need(cur, 2, "current", "cvm");
  double ties;
  auto rank = midranks(ref, cur, ties);
  const std::size_t m = ref.size(), n = cur.size();
  const double dm = static_cast<double>(m), dn = static_cast<double>(n), N = dm + dn;
  // Anderson (1962): U = m sum (r_i - i)^2 + n sum (s_j - j)^2 with the samples' ranks in
  // the pooled sample, sorted; T = U / (m n N) - (4 m n - 1) / (6 N).
  std::vector<double> rx(rank.begin(), rank.begin() + static_cast<std::ptrdiff_t>(m));
  std::vector<double> ry(rank.begin() + static_cast<std::ptrdiff_t>(m), rank.end());
  std::sort(rx.begin(), rx.end());
  std::sort(ry.begin(), ry.end());
  double u = 0;
  for (std::size_t i = 0; i < m; ++i) u += dm * std::pow(rx[i] - static_cast<double>(i + 1), 2);
  for (std::size_t j = 0; j < n; ++j) u += dn * std::pow(ry[j] - static_cast<double>(j + 1), 2);
  const double k = dm * dn;
  TestResult r;
  r.statistic = u / (k * N) - (4 * k - 1) / (6 * N);
  // Anderson's mean and variance of T, then the limiting distribution.
  const double et = (1 + 1 / N) / 6;
  const double vt = (N + 1) * (4 * k * N - 3 * (dm * dm + dn * dn) - 2 * k) / (45 * N * N * 4 * k);
  const double tn = 1.0 / 6 + (r.statistic - et) / std::sqrt(45 * vt);
  r.mode = "asymptotic";
  r.p_value = tn < 0.003 ? 1.0 : std::clamp(1 - cvm_limit_cdf(tn), 0.0, 1.0);
  return r;
}

TestResult chi_square(const std::vector<std::string> &ref, const std::vector<std::string> &cur) {
  if (ref.empty() || cur.empty()) data_error("chi2: a sample is empty");
  std::map<std::string, std::pair<double, double>> counts;
  for (const auto &s : ref) counts[s].first += 1;
  for (const auto &s : cur) counts[s].second += 1;
  const double n1 = static_cast<double>(ref.size()), n2 = static_cast<double>(cur.size()), n = n1 + n2;
  TestResult r;
  r.mode = "asymptotic";
  const double dof = static_cast<double>(counts.size()) - 1;
  r.extra = dof;
  if (dof < 1) {
    r.p_value = 1;
    return r;
  }
  double stat = 0;
  for (const auto &[cat, c] : counts) {
    const double col = c.first + c.second;
    for (auto [obs, row] : {std::pair{c.first, n1}, std::pair{c.second, n2}}) {
      double e = row * col / n;
      double diff = obs - e;
      if (dof == 1) diff = std::copysign(std::max(0.0, std::fabs(diff) - 0.5), diff); // Yates
      stat += diff * diff / e;
    }
  }
  r.statistic = stat;
  r.p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared(dof), stat));
  return r;
}

} // namespace aip::stats
