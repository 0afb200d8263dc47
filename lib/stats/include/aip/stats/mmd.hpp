// Maximum mean discrepancy between two multivariate samples (Gretton et al., "A Kernel
// Two-Sample Test", JMLR 2012): the unbiased estimator MMD^2_u of their eq. (3), with RBF
// exp(-||x-y||^2 / (2 sigma^2)), Laplacian exp(-||x-y||_1 / sigma) or linear x.y kernels.
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <string>

namespace aip::stats {

using Matrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>; // rows = observations

enum class Kernel { rbf, laplacian, linear };
Kernel parse_kernel(const std::string &name); // usage error when unknown

// The median Euclidean distance over all pairs i < j of the pooled sample (the "median
// heuristic"). Above 4000 pooled rows it is taken over a deterministic subsample of 4000
// rows (every k-th), so memory stays small.
double median_heuristic(const Matrix &x, const Matrix &y);

// MMD^2_u, computed in blocks of rows: no n x n matrix is ever held for large samples.
double mmd2_unbiased(const Matrix &x, const Matrix &y, Kernel kernel, double sigma);

struct MmdResult {
  double mmd2 = 0, sigma = 0, p_value = 1;
  std::size_t permutations = 0;
};

// MMD^2_u and its permutation p-value (b + 1) / (B + 1), b counting permuted statistics >=
// the observed one. Each permutation draws from its own generator seeded by (seed, index),
// so the result is the same for any number of threads.
MmdResult mmd_test(const Matrix &x, const Matrix &y, Kernel kernel, double sigma /* <= 0: median */,
                   std::size_t permutations, std::uint64_t seed);

} // namespace aip::stats
