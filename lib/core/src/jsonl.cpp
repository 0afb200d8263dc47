#include "aip/core/jsonl.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

namespace aip::jsonl {
namespace {

bool blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

std::string simdjson_message(simdjson::error_code code) {
  switch (code) {
  case simdjson::TAPE_ERROR:
  case simdjson::INCOMPLETE_ARRAY_OR_OBJECT: return "invalid JSON: incomplete or malformed object";
  case simdjson::UNCLOSED_STRING: return "invalid JSON: unclosed string";
  case simdjson::UTF8_ERROR: return "invalid JSON: not valid UTF-8";
  case simdjson::INCORRECT_TYPE: return "expected a JSON object";
  default: return std::string("invalid JSON: ") + simdjson::error_message(code);
  }
}

// Parses one line in place (the bytes after it are readable up to `capacity`) and hands the
// object to `fn`; returns normally or throws an Error naming the line.
template <class Fn>
void parse_line(simdjson::dom::parser &parser, std::string_view line, std::size_t capacity,
                const Location &where, Fn &&fn) {
  (void)capacity; // the callers guarantee SIMDJSON_PADDING readable bytes after the line
  simdjson::dom::element doc;
  auto error = parser.parse(reinterpret_cast<const std::uint8_t *>(line.data()), line.size(), false)
                   .get(doc);
  if (error != simdjson::SUCCESS) bad_record(where, simdjson_message(error));
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) bad_record(where, "expected a JSON object");
  fn(obj);
}

} // namespace

std::uint64_t Location::line_number() const {
  if (line != 0 || base == nullptr) return line;
  return 1 + static_cast<std::uint64_t>(std::count(base, at, '\n'));
}

void bad_record(const Location &where, std::string_view message) {
  data_error(where.str() + ": " + std::string(message));
}

void for_each_object(LineReader &lines, const ObjectFn &fn) {
  simdjson::dom::parser parser;
  std::string_view line;
  while (lines.next(line)) {
    if (blank(line)) continue;
    Location where{lines.name(), lines.line_number()};
    parse_line(parser, line, lines.capacity_from(line), where,
               [&](simdjson::dom::object obj) { fn(obj, where); });
  }
}

std::size_t worker_count() {
  return static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
}

void parallel_for_each_object(const InputBuffer &buffer, const ParallelObjectFn &fn,
                              std::size_t chunk_bytes) {
  parallel_for_each_record(buffer, nullptr, fn, chunk_bytes);
}

void parallel_for_each_record(const InputBuffer &buffer, const ParallelLineFn &fast,
                              const ParallelObjectFn &fn, std::size_t chunk_bytes,
                              const ChunkHooks *hooks) {
  const std::string_view all = buffer.data();
  if (all.empty()) return;
  // Cut points: every chunk starts at the beginning of a line. Their number depends on the
  // size only, not on the threads, so that what is computed per chunk is the same on any
  // machine; small chunks balance the threads, and releasing each when done keeps the
  // resident set to a few chunks. Each task finds its own two cuts: finding them all first
  // touched the file at every cut, and where the page cache holds it in 2 MiB folios each
  // touch mapped one (210 MB resident for a 444 MB file, against 20 MB).
  const std::size_t chunks = all.size() / std::max<std::size_t>(1, chunk_bytes) + 1;
  // The start of chunk i: after the first line end at or past i/chunks of the input. Cuts
  // never decrease; a line longer than a chunk leaves the chunks it covers empty.
  auto cut = [&](std::size_t i) -> std::size_t {
    if (i == 0) return 0;
    if (i >= chunks) return all.size();
    // size x i / chunks, in two parts that cannot overflow
    const std::size_t at = all.size() / chunks * i + all.size() % chunks * i / chunks;
    const auto nl = all.find('\n', at);
    return nl == std::string_view::npos ? all.size() : nl + 1;
  };

  struct Failure {
    std::size_t offset = SIZE_MAX;
    std::exception_ptr error;
  };
  std::mutex failure_mutex;
  Failure first;
  tbb::enumerable_thread_specific<simdjson::dom::parser> parsers;
  // The tail of the mapping may lack simdjson's padding: lines that end within the last
  // SIMDJSON_PADDING bytes are parsed from a padded copy.

  std::atomic<bool> failed{false};
  auto process = [&](std::size_t c) {
    auto &parser = parsers.local();
    const std::size_t worker =
        static_cast<std::size_t>(tbb::this_task_arena::current_thread_index());
    const std::size_t start = cut(c);
    std::size_t pos = start;
    const std::size_t end = std::max(start, cut(c + 1));
    std::string padded;
    try {
      if (hooks != nullptr && hooks->begin) hooks->begin(worker, c);
      const bool run = hooks != nullptr && hooks->run;
      // The runs stop where the padding after the mapping's end would be needed.
      const std::size_t run_limit = std::min(end, all.size() > simdjson::SIMDJSON_PADDING
                                                      ? all.size() - simdjson::SIMDJSON_PADDING
                                                      : std::size_t{0});
      while (pos < end) {
        if (run && pos < run_limit) {
          pos += hooks->run(worker, std::string_view(all.data() + pos, run_limit - pos),
                            Location{buffer.name(), 0, all.data(), all.data() + pos});
          if (pos >= end) break;
        }
        const char *nl = static_cast<const char *>(std::memchr(all.data() + pos, '\n', end - pos));
        std::size_t stop = nl != nullptr ? static_cast<std::size_t>(nl - all.data()) : end;
        std::string_view line(all.data() + pos, stop - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!blank(line)) {
          Location where{buffer.name(), 0, all.data(), line.data()};
          auto call = [&](simdjson::dom::object obj) { fn(worker, obj, where); };
          if (pos + line.size() + simdjson::SIMDJSON_PADDING <= all.size()) {
            if (!fast || !fast(worker, line, where))
              parse_line(parser, line, all.size() - pos, where, call);
          } else {
            padded.assign(line);
            padded.resize(line.size() + simdjson::SIMDJSON_PADDING, ' ');
            const std::string_view copy(padded.data(), line.size());
            if (!fast || !fast(worker, copy, where))
              parse_line(parser, copy, padded.size(), where, call);
          }
        }
        pos = stop + 1;
      }
      buffer.release(start, end - start);
      if (hooks != nullptr && hooks->end) hooks->end(worker, c);
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (pos < first.offset) {
        first.offset = pos;
        first.error = std::current_exception();
      }
      failed = true;
    }
  };
  // Chunks are taken in order from one counter, so that they finish nearly in order and a
  // caller that combines them in order (the report) keeps few of them waiting; split as a
  // range, each thread took a half, and half the chunks waited. After a failure no more are
  // taken: every chunk before the failing one was taken already, so the first error in the
  // input is still the one reported.
  std::atomic<std::size_t> taken{0};
  tbb::parallel_for(
      std::size_t{0}, std::min(chunks, worker_count()),
      [&](std::size_t) {
        for (std::size_t c = taken++; c < chunks && !failed; c = taken++) process(c);
      },
      tbb::simple_partitioner{});
  if (first.error) std::rethrow_exception(first.error);
}

void for_each_json(LineReader &lines, const JsonFn &fn) {
  std::string_view line;
  while (lines.next(line)) {
    if (blank(line)) continue;
    Location where{lines.name(), lines.line_number()};
    nlohmann::json value = nlohmann::json::parse(line, nullptr, false);
    if (value.is_discarded()) {
      // Parse again with exceptions for a message that says what is wrong.
      try {
        auto again = nlohmann::json::parse(line);
        (void)again;
      } catch (const nlohmann::json::parse_error &e) {
        std::string what = e.what();
        auto colon = what.find("syntax error");
        bad_record(where,
                   "invalid JSON: " + (colon == std::string::npos ? what : what.substr(colon)));
      }
      bad_record(where, "invalid JSON");
    }
    if (!value.is_object()) bad_record(where, "expected a JSON object");
    fn(value, where);
  }
}

void Writer::write(const nlohmann::ordered_json &record) {
  line_ = record.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::strict);
  line_ += '\n';
  out_.write(line_);
}

void Writer::write(const nlohmann::json &record) {
  line_ = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  line_ += '\n';
  out_.write(line_);
}

std::string_view get_string(simdjson::dom::element value, const Location &where,
                            std::string_view field) {
  std::string_view out;
  if (value.get_string().get(out) != simdjson::SUCCESS)
    bad_record(where, "field '" + std::string(field) + "': expected a string");
  return out;
}

double get_number(simdjson::dom::element value, const Location &where, std::string_view field) {
  double out;
  if (value.get_double().get(out) != simdjson::SUCCESS)
    bad_record(where, "field '" + std::string(field) + "': expected a number");
  return out;
}

std::int64_t get_integer(simdjson::dom::element value, const Location &where,
                         std::string_view field) {
  std::int64_t out;
  if (value.get_int64().get(out) == simdjson::SUCCESS) return out;
  double d;
  // Integers written as 3.0 or 1e9 are accepted when they are whole.
  if (value.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d) && d == std::trunc(d) &&
      std::fabs(d) < 9.2e18)
    return static_cast<std::int64_t>(d);
  bad_record(where, "field '" + std::string(field) + "': expected an integer");
}

} // namespace aip::jsonl
