// The tables behind the report engine and the roll-ups: group names interned to small
// integers, and Totals per (name, period) key in flat open-addressing arrays. One cache miss
// or two per lookup, no allocation per record, where node-based maps of strings took half of
// a report's time. Internal to lib/accounting.
#pragma once

#include "aip/accounting/report.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace aip::accounting::detail {

// The W-sized word at `at` (any alignment), widened.
template <class W> inline std::uint64_t load(const char *at) {
  W w;
  std::memcpy(&w, at, sizeof w);
  return static_cast<std::uint64_t>(w);
}

// A 64-bit hash of a short byte string: a multiply-xorshift over 8-byte words. Not for
// adversaries (the tables only hold a report's own group names), but well mixed in the
// bits the tables use.
inline std::uint64_t hash_bytes(std::string_view s) {
  constexpr std::uint64_t k = 0x9E3779B97F4A7C15ULL;
  const char *p = s.data();
  const std::size_t n = s.size();
  auto round = [&](std::uint64_t h, std::uint64_t w) {
    h = (h ^ w) * k;
    return h ^ (h >> 29);
  };
  std::uint64_t h = n * k;
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 8 < n; i += 8) h = round(h, load<std::uint64_t>(p + i));
    h = round(h, load<std::uint64_t>(p + n - 8)); // the last 8 bytes, overlapping
  } else if (n >= 4) {
    h = round(h, load<std::uint32_t>(p) | load<std::uint32_t>(p + n - 4) << 32);
  } else if (n > 0) {
    // Whole loads only: bytes copied one by one into a word cost a store-forwarding stall.
    h = round(h, static_cast<unsigned char>(p[0]) |
                     static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
                     static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
  }
  return h * k;
}

// The same n bytes at a and b, compared inline a word at a time (overlapping words at the
// end): group names are short, where a call to memcmp costs more than the compare.
inline bool same_bytes(const char *a, const char *b, std::size_t n) {
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    return ((load<std::uint64_t>(a) ^ load<std::uint64_t>(b)) |
            (load<std::uint64_t>(a + n - 8) ^ load<std::uint64_t>(b + n - 8))) == 0;
  }
  if (n >= 4)
    return ((load<std::uint32_t>(a) ^ load<std::uint32_t>(b)) |
            (load<std::uint32_t>(a + n - 4) ^ load<std::uint32_t>(b + n - 4))) == 0;
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// Distinct strings numbered 0, 1, 2, ... in the order first seen.
class Names {
public:
  std::uint32_t intern(std::string_view s) {
    if (2 * (entries_.size() + 1) > slots_.size()) grow();
    const std::uint64_t h = hash_bytes(s);
    // A slot holds the name's number + 1 in its low half and the hash's high half above, so
    // that a probe compares bytes only where the hashes agree, without another load.
    const std::uint64_t tag = h & ~0xFFFFFFFFULL;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = (h >> 32) & mask;; i = (i + 1) & mask) {
      const std::uint64_t slot = slots_[i];
      if (slot == 0) {
        const auto id = static_cast<std::uint32_t>(entries_.size());
        slots_[i] = tag | (id + 1);
        entries_.push_back(Entry{bytes_.size(), s.size()});
        bytes_.append(s);
        return id;
      }
      if ((slot & ~0xFFFFFFFFULL) == tag) {
        const auto id = static_cast<std::uint32_t>(slot) - 1;
        const Entry &e = entries_[id];
        if (e.size == s.size() && same_bytes(bytes_.data() + e.start, s.data(), s.size()))
          return id;
      }
    }
  }
  // Valid until the next intern().
  std::string_view name(std::uint32_t id) const {
    return std::string_view(bytes_.data() + entries_[id].start, entries_[id].size);
  }
  std::size_t size() const { return entries_.size(); }

private:
  struct Entry {
    std::size_t start, size;
  };
  void grow() {
    std::vector<std::uint64_t> bigger(slots_.empty() ? 64 : slots_.size() * 2, 0);
    const std::size_t mask = bigger.size() - 1;
    for (const std::uint64_t slot : slots_) {
      if (slot == 0) continue;
      std::size_t i = (slot >> 32) & mask;
      while (bigger[i] != 0) i = (i + 1) & mask;
      bigger[i] = slot;
    }
    slots_ = std::move(bigger);
  }
  std::vector<std::uint64_t> slots_; // high half of the hash | number + 1; 0 for a free slot
  std::vector<Entry> entries_;
  std::string bytes_;
};

// A group's key: the interned name in the high 32 bits, the period's number in the low 32
// (hours since 1970 stay within 32 bits up to kMaxEpoch).
inline std::uint64_t group_key(std::uint32_t name, std::int64_t period) {
  return (static_cast<std::uint64_t>(name) << 32) | static_cast<std::uint32_t>(period);
}
inline std::uint32_t key_name(std::uint64_t key) { return static_cast<std::uint32_t>(key >> 32); }
inline std::int64_t key_period(std::uint64_t key) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(key));
}

// Totals per key; entries are kept densely in the order first seen.
class SumTable {
public:
  Totals &at(std::uint64_t key) { return totals_[entry(key)]; }
  // The number of key's entry (added, with zero sums, if new): valid until clear().
  std::size_t entry(std::uint64_t key) {
    if (2 * (keys_.size() + 1) > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = static_cast<std::uint32_t>(keys_.size() + 1);
        keys_.push_back(key);
        totals_.emplace_back();
        return keys_.size() - 1;
      }
      if (keys_[slot - 1] == key) return slot - 1;
    }
  }
  Totals &totals(std::size_t i) { return totals_[i]; }
  std::size_t size() const { return keys_.size(); }
  std::uint64_t key(std::size_t i) const { return keys_[i]; }
  // Where a key's probe starts in a table of mask + 1 slots.
  static std::size_t slot_of(std::uint64_t key, std::size_t mask) { return mix(key) & mask; }
  const Totals &totals(std::size_t i) const { return totals_[i]; }
  // Empty again, keeping the memory.
  void clear() {
    std::fill(slots_.begin(), slots_.end(), 0);
    keys_.clear();
    totals_.clear();
  }

private:
  // Both halves of the key reach the low bits the slot is taken from (a plain multiply would
  // leave them to the period alone, and pile up every group of a period-less report).
  static std::size_t mix(std::uint64_t key) {
    const std::uint64_t h = (key ^ (key >> 29)) * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
  void grow() {
    std::vector<std::uint32_t> bigger(slots_.empty() ? 64 : slots_.size() * 2, 0);
    const std::size_t mask = bigger.size() - 1;
    for (std::size_t e = 0; e < keys_.size(); ++e) {
      std::size_t i = mix(keys_[e]) & mask;
      while (bigger[i] != 0) i = (i + 1) & mask;
      bigger[i] = static_cast<std::uint32_t>(e + 1);
    }
    slots_ = std::move(bigger);
  }
  std::vector<std::uint32_t> slots_; // entry + 1; 0 for a free slot
  std::vector<std::uint64_t> keys_;
  std::vector<Totals> totals_;
};

} // namespace aip::accounting::detail
