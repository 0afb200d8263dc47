#include "aip/core/table.hpp"

#include "aip/core/csv.hpp"
#include "aip/core/error.hpp"
#include "aip/core/io.hpp"
#include "aip/core/npy.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace aip::table {
namespace {

bool ends_with(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Format sniff(const std::string &path, const std::string &bytes) {
  if (ends_with(path, ".npy")) return Format::npy;
  if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json"))
    return Format::jsonl;
  if (ends_with(path, ".csv")) return Format::csv;
  if (bytes.rfind("\x93NUMPY", 0) == 0) return Format::npy;
  auto first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && bytes[first] == '{') return Format::jsonl;
  return Format::csv;
}

// A numeric cell: a decimal number, "nan" (any case) or empty (missing: NaN). Infinity is
// read too and rejected by the caller with its location.
bool parse_number(std::string_view cell, double &out) {
  while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
  while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
  if (cell.empty()) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (cell.front() == '+') cell.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), out);
  return ec == std::errc() && ptr == cell.data() + cell.size();
}

void add_cell(Column &c, std::string_view cell, const std::string &where) {
  if (!c.categorical) {
    double v;
    if (parse_number(cell, v)) {
      c.numbers.push_back(v);
      c.labels.emplace_back(cell);
      return;
    }
    c.categorical = true;
    c.first_text = where;
  }
  c.labels.emplace_back(cell);
}

// Applies the feature selection, checks values, and drops rows under Nan::drop.
Table finish(Table t, std::vector<std::vector<std::string>> where_of_row, const Options &o) {
  if (!o.features.empty()) {
    std::vector<Column> chosen;
    for (const auto &f : o.features) {
      auto it = std::find_if(t.columns.begin(), t.columns.end(),
                             [&](const Column &c) { return c.name == f; });
      if (it == t.columns.end()) {
        std::string names;
        for (const auto &c : t.columns) names += (names.empty() ? "" : ", ") + c.name;
        usage_error(t.source + ": no column '" + f + "' (columns: " + names + ")");
      }
      chosen.push_back(std::move(*it));
      t.columns.erase(it);
    }
    t.columns = std::move(chosen);
  }
  std::vector<bool> keep(t.rows, true);
  for (auto &c : t.columns) {
    if (c.categorical) continue;
    c.labels.clear();
    c.labels.shrink_to_fit();
    for (std::size_t r = 0; r < c.numbers.size(); ++r) {
      double v = c.numbers[r];
      std::string at =
          where_of_row.empty() ? t.source + ": row " + std::to_string(r + 1) : where_of_row[r][0];
      if (std::isinf(v)) data_error(at + ", column '" + c.name + "': infinite value");
      if (std::isnan(v)) {
        if (o.nan == Nan::error)
          data_error(at + ", column '" + c.name +
                     "': missing or NaN value (use --nan drop to leave such rows out)");
        keep[r] = false;
      }
    }
  }
  std::size_t kept = static_cast<std::size_t>(std::count(keep.begin(), keep.end(), true));
  if (kept != t.rows) {
    for (auto &c : t.columns) {
      std::size_t w = 0;
      for (std::size_t r = 0; r < t.rows; ++r) {
        if (!keep[r]) continue;
        if (w != r) {
          if (c.categorical)
            c.labels[w] = std::move(c.labels[r]);
          else
            c.numbers[w] = c.numbers[r];
        }
        ++w;
      }
      if (c.categorical)
        c.labels.resize(w);
      else
        c.numbers.resize(w);
    }
    t.dropped = t.rows - kept;
    t.rows = kept;
  }
  return t;
}

Table read_csv(const std::string &bytes, const std::string &source, const Options &o) {
  Table t;
  t.source = source;
  csv::Reader reader(bytes, source);
  std::vector<std::string> fields;
  if (!reader.next(fields)) data_error(source + ": empty input (expected a header line)");
  for (auto &name : fields) {
    if (name.empty()) data_error(reader.where() + ": empty column name in the header");
    Column c;
    c.name = name;
    t.columns.push_back(std::move(c));
  }
  std::vector<std::vector<std::string>> where_of_row;
  while (reader.next(fields)) {
    if (fields.size() != t.columns.size())
      data_error(reader.where() + ": " + std::to_string(fields.size()) +
                 " fields, the header has " + std::to_string(t.columns.size()));
    std::string where = reader.where();
    for (std::size_t i = 0; i < fields.size(); ++i)
      add_cell(t.columns[i], fields[i], reader.where(i + 1) + " ('" + t.columns[i].name + "')");
    where_of_row.push_back({where});
    ++t.rows;
  }
  return finish(std::move(t), std::move(where_of_row), o);
}

Table read_jsonl(const std::string &bytes, const std::string &source, const Options &o) {
  Table t;
  t.source = source;
  std::vector<std::vector<std::string>> where_of_row;
  std::size_t line_no = 0, start = 0;
  while (start < bytes.size()) {
    auto nl = bytes.find('\n', start);
    std::string_view line(bytes.data() + start,
                          (nl == std::string::npos ? bytes.size() : nl) - start);
    start = nl == std::string::npos ? bytes.size() : nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    std::string where = source + ":" + std::to_string(line_no);
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) data_error(where + ": invalid JSON");
    if (!j.is_object()) data_error(where + ": expected a JSON object");
    if (t.rows == 0) {
      // The first record names the columns.
      if (!o.array_field.empty()) {
        auto it = j.find(o.array_field);
        if (it == j.end() || !it->is_array() || it->empty())
          data_error(where + ": field '" + o.array_field +
                     "': expected a non-empty array of numbers");
        for (std::size_t i = 0; i < it->size(); ++i) {
          Column c;
          c.name = o.array_field + "[" + std::to_string(i) + "]";
          t.columns.push_back(std::move(c));
        }
      } else {
        for (const auto &[k, v] : j.items()) {
          if (k == "kind" || !(v.is_number() || v.is_string() || v.is_null())) continue;
          Column c;
          c.name = k;
          t.columns.push_back(std::move(c));
        }
        if (t.columns.empty()) data_error(where + ": no numeric or string fields");
      }
    }
    if (!o.array_field.empty()) {
      auto it = j.find(o.array_field);
      if (it == j.end() || !it->is_array())
        data_error(where + ": field '" + o.array_field + "': expected an array of numbers");
      if (it->size() != t.columns.size())
        data_error(where + ": field '" + o.array_field + "': " + std::to_string(it->size()) +
                   " values, the first record has " + std::to_string(t.columns.size()));
      for (std::size_t i = 0; i < it->size(); ++i) {
        const auto &v = (*it)[i];
        if (!v.is_number() && !v.is_null())
          data_error(where + ": field '" + o.array_field + "': item " + std::to_string(i) +
                     ": expected a number");
        t.columns[i].numbers.push_back(v.is_null() ? std::numeric_limits<double>::quiet_NaN()
                                                   : v.get<double>());
      }
    } else {
      for (auto &c : t.columns) {
        auto it = j.find(c.name);
        if (it == j.end() || it->is_null()) {
          add_cell(c, "", where);
        } else if (it->is_number()) {
          if (c.categorical)
            c.labels.push_back(it->dump());
          else {
            c.numbers.push_back(it->get<double>());
            c.labels.push_back(it->dump());
          }
        } else if (it->is_string()) {
          const auto &s = it->get_ref<const std::string &>();
          if (!c.categorical) {
            c.categorical = true;
            c.first_text = where + ", field '" + c.name + "'";
          }
          c.labels.push_back(s);
        } else {
          data_error(where + ": field '" + c.name + "': expected a number or a string");
        }
      }
    }
    where_of_row.push_back({where});
    ++t.rows;
  }
  if (t.rows == 0) data_error(source + ": no records");
  return finish(std::move(t), std::move(where_of_row), o);
}

Table read_npy(const std::string &bytes, const std::string &source, const Options &o) {
  auto a = npy::parse(bytes, source);
  Table t;
  t.source = source;
  t.rows = a.rows;
  for (std::size_t c = 0; c < a.cols; ++c) {
    Column col;
    col.name = "x";
    if (!a.one_dimensional) col.name += std::to_string(c);
    col.numbers.resize(a.rows);
    for (std::size_t r = 0; r < a.rows; ++r) col.numbers[r] = a.values[r * a.cols + c];
    t.columns.push_back(std::move(col));
  }
  return finish(std::move(t), {}, o);
}

} // namespace

Format parse_format(const std::string &text) {
  if (text == "auto") return Format::automatic;
  if (text == "csv") return Format::csv;
  if (text == "jsonl") return Format::jsonl;
  if (text == "npy") return Format::npy;
  usage_error("unknown input format '" + text + "': expected auto, csv, jsonl or npy");
}

const Column *Table::find(const std::string &name) const {
  for (const auto &c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

Table parse(const std::string &bytes, const std::string &source, const Options &options) {
  Format f = options.format == Format::automatic ? sniff(source, bytes) : options.format;
  switch (f) {
  case Format::npy: return read_npy(bytes, source, options);
  case Format::jsonl: return read_jsonl(bytes, source, options);
  default: return read_csv(bytes, source, options);
  }
}

Table read(const std::string &path, const Options &options) {
  auto in = InputBuffer::open(path);
  return parse(std::string(in.data()), in.name(), options);
}

} // namespace aip::table
