// JSON Lines (https://jsonlines.org): one JSON object per line, UTF-8. Empty lines are
// skipped. A line that is not one whole JSON object is an error naming file and line (65).
#pragma once

#include "aip/core/error.hpp"
#include "aip/core/io.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace aip::jsonl {

// Where a record came from, for messages: "file:line".
// In the parallel reader the line number is not counted on the hot path: `base` and `at`
// locate the line in the buffer, and line_number() counts newlines only when a message
// needs it.
struct Location {
  std::string_view file;
  std::uint64_t line = 0;
  const char *base = nullptr;
  const char *at = nullptr;
  std::uint64_t line_number() const;
  std::string str() const { return std::string(file) + ":" + std::to_string(line_number()); }
};

// "file:line: message", as an Error with the data status.
[[noreturn]] void bad_record(const Location &where, std::string_view message);

// Fast path: each line is parsed in place by simdjson's DOM parser (fully validated, with
// the CPU's best kernel chosen at run time) and fn(object, where) is called. Works on pipes
// as lines arrive.
using ObjectFn = std::function<void(simdjson::dom::object, const Location &)>;
void for_each_object(LineReader &lines, const ObjectFn &fn);

// Reads `buffer` with every thread TBB gives, cutting it into byte ranges at line ends.
// fn(worker, object, where) runs concurrently; `worker` is 0..workers-1 and stable within one
// range, so callers keep per-worker state without locks. On bad input the error of the
// earliest line in the file is thrown, whatever the thread count.
using ParallelObjectFn =
    std::function<void(std::size_t worker, simdjson::dom::object, const Location &)>;
std::size_t worker_count();
void parallel_for_each_object(const InputBuffer &buffer, const ParallelObjectFn &fn,
                              std::size_t chunk_bytes = 1 << 20);
// The same with a fast path tried first: fast(worker, line, where) returns true when it has
// taken the line (a flat scanner, see flat_json.hpp), false to have it parsed by simdjson and
// handed to fn. The line has SIMDJSON_PADDING readable bytes after it. The input is cut into
// chunks of about chunk_bytes at line ends, the same for any thread count; `hooks`, when
// given, are called by the worker that takes a chunk before its first line and after its
// last (not after a failure), so that a caller can sum per chunk and combine the chunks in
// their order: the same result, to the last bit, whatever the threads did.
using ParallelLineFn =
    std::function<bool(std::size_t worker, std::string_view line, const Location &)>;
struct ChunkHooks {
  std::function<void(std::size_t worker, std::size_t chunk)> begin, end;
  // Optional, tried before the others: run(worker, text, where) takes as many whole lines as
  // it can from the start of `text` (lines of one chunk, with SIMDJSON_PADDING readable bytes
  // after `text`) and returns how many bytes it took: 0, or just past a '\n'. A line it does
  // not take goes to `fast` and `fn` as usual, and the run resumes after it. `where` locates
  // the start of `text`; the run moves its `at` to the line it reports on. One call for many
  // lines saves a call and a search for the line's end per line.
  std::function<std::size_t(std::size_t worker, std::string_view text, Location where)> run;
};
void parallel_for_each_record(const InputBuffer &buffer, const ParallelLineFn &fast,
                              const ParallelObjectFn &fn, std::size_t chunk_bytes = 1 << 20,
                              const ChunkHooks *hooks = nullptr);

// Convenient path for small inputs (jobs, configs): each line as an nlohmann::json object.
using JsonFn = std::function<void(nlohmann::json &, const Location &)>;
void for_each_json(LineReader &lines, const JsonFn &fn);

// Writes records, one per line, in the compact form.
class Writer {
public:
  explicit Writer(Output &out) : out_(out) {}
  void write(const nlohmann::json &record);
  void write(const nlohmann::ordered_json &record);
  void flush() { out_.flush(); }

private:
  Output &out_;
  std::string line_;
};

// Shared helpers for decoders reading DOM values with messages that name the field.
std::string_view get_string(simdjson::dom::element value, const Location &where,
                            std::string_view field);
double get_number(simdjson::dom::element value, const Location &where, std::string_view field);
std::int64_t get_integer(simdjson::dom::element value, const Location &where,
                         std::string_view field);

} // namespace aip::jsonl
