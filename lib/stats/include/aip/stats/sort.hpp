// Sorting large samples of doubles: the two-sample tests spend most of their time here.
#pragma once

#include <vector>

namespace aip::stats {

// Ascending sort of finite doubles (-0.0 before +0.0). Above 64 Ki values an LSD radix sort
// over the IEEE-754 bit patterns mapped to order-preserving integers (six 11-bit digits, the
// digits that are the same for every value skipped); below it std::sort.
void sort_values(std::vector<double> &values);

} // namespace aip::stats
