#include "aip/stats/sort.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace aip::stats {
namespace {
// Order-preserving map of a double's bits to an unsigned integer: negative values have all
// bits flipped, others only the sign bit (the usual radix-sort key for IEEE-754).
inline std::uint64_t key(double v) {
  std::uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  return (u >> 63) != 0 ? ~u : u | 0x8000000000000000ULL;
}
inline double value(std::uint64_t k) {
  std::uint64_t u = (k >> 63) != 0 ? k & 0x7fffffffffffffffULL : ~k;
  double v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}
} // namespace

void sort_values(std::vector<double> &values) {
  const std::size_t n = values.size();
  if (n < (1U << 16)) {
    std::sort(values.begin(), values.end());
    return;
  }
  constexpr int bits = 11, digits = 6;
  constexpr std::size_t radix = 1U << bits;
  std::vector<std::uint64_t> a(n), b(n);
  std::array<std::array<std::size_t, radix>, digits> count{};
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = key(values[i]);
    a[i] = k;
    for (int d = 0; d < digits; ++d) ++count[d][(k >> (d * bits)) & (radix - 1)];
  }
  for (int d = 0; d < digits; ++d) {
    auto &c = count[d];
    // A digit shared by every value leaves the order as it is.
    if (std::any_of(c.begin(), c.end(), [n](std::size_t x) { return x == n; })) continue;
    std::size_t sum = 0;
    for (auto &x : c) {
      const std::size_t here = x;
      x = sum;
      sum += here;
    }
    const int shift = d * bits;
    for (std::size_t i = 0; i < n; ++i) b[c[(a[i] >> shift) & (radix - 1)]++] = a[i];
    a.swap(b);
  }
  for (std::size_t i = 0; i < n; ++i) values[i] = value(a[i]);
}

} // namespace aip::stats
