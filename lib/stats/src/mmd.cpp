#include "aip/stats/mmd.hpp"

#include "aip/stats/permutation.hpp"

#include <aip/core/error.hpp>

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace aip::stats {
namespace {

constexpr Eigen::Index kBlock = 256;
constexpr Eigen::Index kMaxMedianRows = 4000;
constexpr Eigen::Index kMaxKernelMatrix =
    4096; // pooled rows up to which the permutation test caches K

// Kernel values between the rows of a and b, as a block.
Matrix kernel_block(const Matrix &a, const Matrix &b, Kernel kernel, double sigma) {
  if (kernel == Kernel::linear) return a * b.transpose();
  if (kernel == Kernel::laplacian) {
    Matrix k(a.rows(), b.rows());
    for (Eigen::Index i = 0; i < a.rows(); ++i)
      for (Eigen::Index j = 0; j < b.rows(); ++j)
        k(i, j) = std::exp(-(a.row(i) - b.row(j)).cwiseAbs().sum() / sigma);
    return k;
  }
  // ||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y, clamped at 0 against rounding.
  Eigen::VectorXd na = a.rowwise().squaredNorm(), nb = b.rowwise().squaredNorm();
  Matrix d = (-2.0 * (a * b.transpose())).colwise() + na;
  d.rowwise() += nb.transpose();
  return (d.cwiseMax(0.0) * (-1.0 / (2 * sigma * sigma))).array().exp().matrix();
}

// Sum of kernel values over all pairs (i in a, j in b), excluding i == j when `same`.
double kernel_sum(const Matrix &a, const Matrix &b, Kernel kernel, double sigma, bool same) {
  const Eigen::Index na = a.rows();
  return tbb::parallel_reduce(
      tbb::blocked_range<Eigen::Index>(0, (na + kBlock - 1) / kBlock), 0.0,
      [&](const tbb::blocked_range<Eigen::Index> &r, double acc) {
        for (Eigen::Index bi = r.begin(); bi != r.end(); ++bi) {
          const Eigen::Index i0 = bi * kBlock, rows = std::min(kBlock, na - i0);
          Matrix ablock = a.middleRows(i0, rows);
          for (Eigen::Index j0 = 0; j0 < b.rows(); j0 += kBlock) {
            const Eigen::Index cols = std::min(kBlock, b.rows() - j0);
            Matrix k = kernel_block(ablock, b.middleRows(j0, cols), kernel, sigma);
            acc += k.sum();
            if (same && j0 <= i0 + rows && i0 <= j0 + cols)
              for (Eigen::Index i = 0; i < rows; ++i) {
                Eigen::Index j = i0 + i - j0;
                if (j >= 0 && j < cols) acc -= k(i, j);
              }
          }
        }
        return acc;
      },
      std::plus<>());
}

void check(const Matrix &x, const Matrix &y) {
  if (x.rows() < 2 || y.rows() < 2) data_error("mmd: each sample needs at least 2 rows");
  if (x.cols() != y.cols())
    data_error("mmd: the samples have " + std::to_string(x.cols()) + " and " +
               std::to_string(y.cols()) + " columns");
  if (!x.allFinite() || !y.allFinite()) data_error("mmd: the samples hold NaN or infinity");
}

} // namespace

Kernel parse_kernel(const std::string &name) {
  if (name == "rbf") return Kernel::rbf;
  if (name == "laplacian") return Kernel::laplacian;
  if (name == "linear") return Kernel::linear;
  usage_error("unknown kernel '" + name + "': expected rbf, laplacian or linear");
}

double median_heuristic(const Matrix &x, const Matrix &y) {
  Matrix pooled(x.rows() + y.rows(), x.cols());
  pooled << x, y;
  if (pooled.rows() > kMaxMedianRows) {
    const Eigen::Index step = (pooled.rows() + kMaxMedianRows - 1) / kMaxMedianRows;
    Matrix sub((pooled.rows() + step - 1) / step, pooled.cols());
    for (Eigen::Index i = 0, k = 0; i < pooled.rows(); i += step, ++k) sub.row(k) = pooled.row(i);
    pooled = sub;
  }
  const Eigen::Index n = pooled.rows();
  std::vector<double> d;
  d.reserve(static_cast<std::size_t>(n * (n - 1) / 2));
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = i + 1; j < n; ++j) d.push_back((pooled.row(i) - pooled.row(j)).norm());
  if (d.empty()) return 1;
  // numpy.median: the mean of the two middle values for an even count.
  const std::size_t mid = d.size() / 2;
  std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(mid), d.end());
  double m = d[mid];
  if (d.size() % 2 == 0)
    m = (m + *std::max_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(mid))) / 2;
  return m > 0 ? m : 1;
}

double mmd2_unbiased(const Matrix &x, const Matrix &y, Kernel kernel, double sigma) {
  check(x, y);
  const double n = static_cast<double>(x.rows()), m = static_cast<double>(y.rows());
  return kernel_sum(x, x, kernel, sigma, true) / (n * (n - 1)) +
         kernel_sum(y, y, kernel, sigma, true) / (m * (m - 1)) -
         2 * kernel_sum(x, y, kernel, sigma, false) / (n * m);
}

MmdResult mmd_test(const Matrix &x, const Matrix &y, Kernel kernel, double sigma,
                   std::size_t permutations, std::uint64_t seed) {
  check(x, y);
  MmdResult r;
  r.sigma = sigma > 0 ? sigma : (kernel == Kernel::linear ? 1.0 : median_heuristic(x, y));
  r.mmd2 = mmd2_unbiased(x, y, kernel, r.sigma);
  r.permutations = permutations;
  if (permutations == 0) return r;
  const Eigen::Index nx = x.rows(), total = x.rows() + y.rows();
  Matrix pooled(total, x.cols());
  pooled << x, y;
  const double n = static_cast<double>(nx), m = static_cast<double>(y.rows());
  auto statistic_of = [&](double sxx, double syy, double sxy) {
    return sxx / (n * (n - 1)) + syy / (m * (m - 1)) - 2 * sxy / (n * m);
  };
  std::size_t b;
  if (total <= kMaxKernelMatrix) {
    // With K cached, a relabelling a (the rows drawn as "reference") needs only
    // A = sum_{i,j in a, i != j} K_ij: with row sums r and total S (diagonal removed),
    // S_xy = sum_{i in a} r_i - A and S_yy = S - 2 sum_{i in a} r_i + A.
    Matrix k = kernel_block(pooled, pooled, kernel, r.sigma);
    k.diagonal().setZero();
    Eigen::VectorXd rows = k.rowwise().sum();
    const double s = rows.sum();
    const double observed = r.mmd2;
    b = tbb::parallel_reduce(
        tbb::blocked_range<std::size_t>(0, permutations), std::size_t{0},
        [&](const tbb::blocked_range<std::size_t> &range, std::size_t acc) {
          std::vector<std::size_t> idx;
          // The drawn rows as a 0/1 mask: A = sum over drawn i of K_i . mask, dense dot
          // products the compiler vectorises, instead of gathering K_ij one index at a time.
          Eigen::VectorXd mask = Eigen::VectorXd::Zero(total);
          for (std::size_t p = range.begin(); p != range.end(); ++p) {
            auto rng = stream_for(seed, p);
            random_subset(rng, static_cast<std::size_t>(total), static_cast<std::size_t>(nx), idx);
            mask.setZero();
            for (Eigen::Index i = 0; i < nx; ++i)
              mask(static_cast<Eigen::Index>(idx[static_cast<std::size_t>(i)])) = 1;
            double a = 0, ra = 0;
            for (Eigen::Index i = 0; i < nx; ++i) {
              const auto ii = static_cast<Eigen::Index>(idx[static_cast<std::size_t>(i)]);
              ra += rows(ii);
              // K is symmetric with a zero diagonal: count each pair once, from its lower index.
              const Eigen::Index tail = total - ii - 1;
              a += 2 * k.row(ii).tail(tail).dot(mask.tail(tail).transpose());
            }
            if (statistic_of(a, s - 2 * ra + a, ra - a) >= observed) ++acc;
          }
          return acc;
        },
        std::plus<>());
  } else {
    // Large samples: each permutation recomputes the statistic blockwise.
    b = 0;
    std::vector<std::size_t> idx;
    for (std::size_t p = 0; p < permutations; ++p) {
      auto rng = stream_for(seed, p);
      random_subset(rng, static_cast<std::size_t>(total), static_cast<std::size_t>(nx), idx);
      Matrix px(nx, x.cols()), py(total - nx, x.cols());
      for (Eigen::Index i = 0; i < total; ++i)
        (i < nx ? px.row(i) : py.row(i - nx)) =
            pooled.row(static_cast<Eigen::Index>(idx[static_cast<std::size_t>(i)]));
      if (mmd2_unbiased(px, py, kernel, r.sigma) >= r.mmd2) ++b;
    }
  }
  r.p_value = (static_cast<double>(b) + 1) / (static_cast<double>(permutations) + 1);
  return r;
}

} // namespace aip::stats
