// The flat scanner against simdjson, differentially: whatever line the scanner accepts,
// simdjson must accept too, with the same members, in the same order, with the same values
// (numbers bit for bit); and whatever usage record decode_usage_line accepts, decode_usage
// must decode to the same record (and so must the layout reader, decode_usage_layout). The scanner
// may give up on anything; it may never be wrong about what it accepts. The timestamp fast path is
// checked against the general parser the same way.
#include <aip/core/flat_json.hpp>
#include <aip/core/units.hpp>
#include <aip/records/usage.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace {
void require(bool ok) {
  if (!ok) __builtin_trap();
}

struct Member {
  std::string key;
  aip::jsonl::flat::Value value;
};

void check_scanner(std::string_view line) {
  std::vector<Member> members;
  // Copies, since Value's text points into the padded line that outlives this function.
  const bool accepted =
      aip::jsonl::flat::scan_object(line, [&](std::string_view key, const auto &v) {
        members.push_back({std::string(key), v});
      });
  // Hints change nothing but speed.
  static const aip::jsonl::flat::KeyHints hints{"kind", "record_id", "start", "end", "a", "b"};
  std::vector<Member> hinted;
  const bool accepted_hinted = aip::jsonl::flat::scan_object(
      line,
      [&](std::string_view key, const auto &v) {
        hinted.push_back({std::string(key), v});
      },
      &hints);
  require(accepted_hinted == accepted && hinted.size() == members.size());
  for (std::size_t i = 0; i < hinted.size(); ++i)
    require(hinted[i].key == members[i].key && hinted[i].value.type == members[i].value.type &&
            hinted[i].value.text == members[i].value.text);
  if (!accepted) return;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  require(parser.parse(line.data(), line.size(), false).get(doc) == simdjson::SUCCESS);
  simdjson::dom::object object;
  require(doc.get_object().get(object) == simdjson::SUCCESS);
  std::size_t i = 0;
  for (auto [key, value] : object) {
    require(i < members.size());
    const auto &m = members[i++];
    require(key == m.key);
    using aip::jsonl::flat::Type;
    switch (m.value.type) {
    case Type::string: {
      std::string_view s;
      require(value.get_string().get(s) == simdjson::SUCCESS && s == m.value.text);
      break;
    }
    case Type::integer: {
      std::int64_t n;
      require(value.get_int64().get(n) == simdjson::SUCCESS && n == m.value.integer);
      break;
    }
    case Type::number: {
      double d;
      require(value.get_double().get(d) == simdjson::SUCCESS);
      require(std::memcmp(&d, &m.value.number, sizeof d) == 0);
      break;
    }
    case Type::boolean: {
      bool b;
      require(value.get_bool().get(b) == simdjson::SUCCESS && b == m.value.boolean);
      break;
    }
    case Type::null: require(value.is_null()); break;
    }
  }
  require(i == members.size());
}

void check_usage(std::string_view line) {
  aip::records::UsageView view, layout;
  const bool by_layout = aip::records::detail::decode_usage_layout(line, layout);
  if (!aip::records::decode_usage_line(line, view)) {
    require(!by_layout);
    return;
  }
  if (by_layout) require(layout == view);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  require(parser.parse(line.data(), line.size(), false).get(doc) == simdjson::SUCCESS);
  aip::records::Usage usage;
  try {
    aip::records::decode_usage(doc.get_object().value_unsafe(), {"fuzz", 1}, usage);
  } catch (const aip::Error &) {
    require(false);
  }
  require(aip::records::view_of(usage) == view);
}

// Each fast reader of the fixed form against the general parser alone.
void check_timestamp(std::string_view text, bool (*fast_reader)(std::string_view, double &)) {
  double fast = 0;
  if (!fast_reader(text, fast)) return;
  double general = 0;
  try {
    general = aip::detail::parse_timestamp_general(text);
  } catch (const aip::Error &) {
    require(false);
  }
  require(std::memcmp(&fast, &general, sizeof fast) == 0);
}

void check_timestamp(std::string_view text) {
  check_timestamp(text, [](std::string_view s, double &t) {
    return aip::detail::fixed_utc_timestamp_words(s, t);
  });
#if defined(__SSE2__)
  check_timestamp(text, [](std::string_view s, double &t) {
    return aip::detail::fixed_utc_timestamp_sse2(s, t);
  });
#endif
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view all(reinterpret_cast<const char *>(data), size);
  std::string_view line = all.substr(0, all.find('\n'));
  // The scanner's contract: padding after the line, which it must never read as content.
  std::string padded(line);
  padded.append(simdjson::SIMDJSON_PADDING, '}');
  line = std::string_view(padded.data(), line.size());
  check_scanner(line);
  check_usage(line);
  check_timestamp(line);
  return 0;
}
