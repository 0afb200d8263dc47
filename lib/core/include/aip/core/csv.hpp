// CSV as RFC 4180 defines it: fields separated by commas, records by line breaks (CRLF or
// LF), fields with separators, quotes or line breaks in double quotes, a quote inside a
// quoted field doubled. A UTF-8 byte-order mark at the start is skipped.
#pragma once

#include "aip/core/io.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aip::csv {

class Reader {
public:
  // `data` must outlive the reader; `name` is used in messages.
  Reader(std::string_view data, std::string name, char separator = ',');

  // The next record's fields, or false at the end. Empty lines are skipped.
  bool next(std::vector<std::string> &fields);
  // The line on which the last record started (1-based).
  std::uint64_t line() const { return record_line_; }
  const std::string &name() const { return name_; }
  // "file:line" of the last record, and ", column N" (1-based) when given.
  std::string where(std::size_t column = 0) const;

private:
  std::string_view data_;
  std::string name_;
  char sep_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 1, record_line_ = 0;
};

// Appends one field, quoted when RFC 4180 requires it.
void append_field(std::string &out, std::string_view field, char separator = ',');

// Writes rows with LF line ends (RFC 4180 names CRLF; LF is what Unix tools expect, and
// readers of both kinds accept it) unless `crlf` is set.
class Writer {
public:
  explicit Writer(Output &out, char separator = ',', bool crlf = false)
      : out_(out), sep_(separator), crlf_(crlf) {}
  void write_row(const std::vector<std::string> &fields);
  template <class It> void write_row(It first, It last) {
    line_.clear();
    for (It it = first; it != last; ++it) {
      if (it != first) line_ += sep_;
      append_field(line_, *it, sep_);
    }
    line_ += crlf_ ? "\r\n" : "\n";
    out_.write(line_);
  }

private:
  Output &out_;
  char sep_;
  bool crlf_;
  std::string line_;
};

} // namespace aip::csv
