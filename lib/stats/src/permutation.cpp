#include "aip/stats/permutation.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <numeric>

namespace aip::stats {
namespace {
__extension__ typedef unsigned __int128
    u128; // GCC and Clang: a 128-bit product for Lemire's method
}

std::uint64_t SplitMix64::below(std::uint64_t bound) {
  // Lemire's multiply-shift with rejection of the biased low range.
  u128 m = static_cast<u128>(next()) * bound;
  auto low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<u128>(next()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

SplitMix64 stream_for(std::uint64_t seed, std::uint64_t index) {
  SplitMix64 mix(seed ^ (index * 0xd1b54a32d192ed03ULL + 0x8bb84b93962eacc9ULL));
  return SplitMix64(mix.next());
}

void random_subset(SplitMix64 &rng, std::size_t n, std::size_t take,
                   std::vector<std::size_t> &out) {
  out.resize(n);
  std::iota(out.begin(), out.end(), 0);
  for (std::size_t i = 0; i < take && i + 1 < n; ++i) {
    std::size_t j = i + static_cast<std::size_t>(rng.below(n - i));
    std::swap(out[i], out[j]);
  }
}

double permutation_p_value(const std::vector<double> &ref, const std::vector<double> &cur,
                           const std::function<double(const std::vector<double> &,
                                                      const std::vector<double> &)> &statistic,
                           std::size_t permutations, std::uint64_t seed) {
  const double observed = statistic(ref, cur);
  std::vector<double> pooled(ref);
  pooled.insert(pooled.end(), cur.begin(), cur.end());
  const std::size_t n = ref.size();
  std::size_t b = tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, permutations), std::size_t{0},
      [&](const tbb::blocked_range<std::size_t> &r, std::size_t acc) {
        std::vector<std::size_t> idx;
        std::vector<double> a(n), c(pooled.size() - n);
        for (std::size_t k = r.begin(); k != r.end(); ++k) {
          auto rng = stream_for(seed, k);
          random_subset(rng, pooled.size(), n, idx);
          for (std::size_t i = 0; i < n; ++i) a[i] = pooled[idx[i]];
          for (std::size_t i = n; i < pooled.size(); ++i) c[i - n] = pooled[idx[i]];
          if (statistic(a, c) >= observed) ++acc;
        }
        return acc;
      },
      std::plus<>());
  return (static_cast<double>(b) + 1) / (static_cast<double>(permutations) + 1);
}

} // namespace aip::stats
