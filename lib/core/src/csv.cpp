#include "aip/core/csv.hpp"

#include "aip/core/error.hpp"

namespace aip::csv {

Reader::Reader(std::string_view data, std::string name, char separator)
    : data_(data), name_(std::move(name)), sep_(separator) {
  if (data_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

std::string Reader::where(std::size_t column) const {
  std::string s = name_ + ":" + std::to_string(record_line_);
  if (column > 0) s += ", column " + std::to_string(column);
  return s;
}

bool Reader::next(std::vector<std::string> &fields) {
  fields.clear();
  // Skip empty lines between records.
  while (pos_ < data_.size() && (data_[pos_] == '\n' || data_[pos_] == '\r')) {
    if (data_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= data_.size()) return false;
  record_line_ = line_;
  std::string field;
  while (true) {
    field.clear();
    if (pos_ < data_.size() && data_[pos_] == '"') {
      std::uint64_t opened = line_;
      ++pos_;
      while (true) {
        if (pos_ >= data_.size())
          data_error(name_ + ":" + std::to_string(opened) + ", column " +
                     std::to_string(fields.size() + 1) + ": unterminated quoted field");
        char c = data_[pos_++];
        if (c == '"') {
          if (pos_ < data_.size() && data_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            break;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      }
      if (pos_ < data_.size() && data_[pos_] != sep_ && data_[pos_] != '\n' && data_[pos_] != '\r')
        data_error(where(fields.size() + 1) + ": unexpected character after a closing quote");
    } else {
      std::size_t start = pos_;
      while (pos_ < data_.size() && data_[pos_] != sep_ && data_[pos_] != '\n' &&
             data_[pos_] != '\r') {
        if (data_[pos_] == '"')
          data_error(where(fields.size() + 1) + ": a quote inside an unquoted field");
        ++pos_;
      }
      field.assign(data_.substr(start, pos_ - start));
    }
    fields.push_back(field);
    if (pos_ >= data_.size()) return true;
    char c = data_[pos_];
    if (c == sep_) {
      ++pos_;
      continue;
    }
    // End of record: CRLF, LF or a lone CR.
    ++pos_;
    if (c == '\r' && pos_ < data_.size() && data_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

void append_field(std::string &out, std::string_view field, char separator) {
  // Leading or trailing spaces are quoted so that lenient readers keep them; a leading
  // byte-order mark so that a reader does not take it for the file's own.
  bool quote =
      field.find_first_of(std::string{'"', '\n', '\r', separator}) != std::string_view::npos ||
      (!field.empty() && (field.front() == ' ' || field.back() == ' ')) ||
      field.substr(0, 3) == "\xEF\xBB\xBF";
  if (!quote) {
    out.append(field);
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void Writer::write_row(const std::vector<std::string> &fields) {
  write_row(fields.begin(), fields.end());
}

} // namespace aip::csv
