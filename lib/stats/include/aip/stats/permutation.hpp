// A deterministic generator for permutation tests: SplitMix64 (Steele, Lea & Flood 2014),
// one stream per (seed, permutation index), so parallel runs give identical results.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace aip::stats {

class SplitMix64 {
public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) without modulo bias (Lemire 2019).
  std::uint64_t below(std::uint64_t bound);

private:
  std::uint64_t state_;
};

// The generator for permutation `index` under `seed`.
SplitMix64 stream_for(std::uint64_t seed, std::uint64_t index);

// The first `take` entries of a uniformly random permutation of 0..n-1 (partial
// Fisher-Yates), written to `out` (resized to n; the first `take` are the sample).
void random_subset(SplitMix64 &rng, std::size_t n, std::size_t take, std::vector<std::size_t> &out);

// Permutation p-value for a univariate statistic of (reference, current): `statistic` is
// called on relabelled pooled data; p = (b + 1) / (B + 1), b counting |T*| >= |T| when
// `absolute`, else T* >= T. Parallel with TBB; identical for any thread count.
double permutation_p_value(const std::vector<double> &reference, const std::vector<double> &current,
                           const std::function<double(const std::vector<double> &,
                                                      const std::vector<double> &)> &statistic,
                           std::size_t permutations, std::uint64_t seed);

} // namespace aip::stats
