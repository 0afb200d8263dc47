// Tabular data for statistics: named columns read from CSV (with a header), JSON Lines
// (numeric or string fields, or one array field holding an embedding) or NumPy .npy.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace aip::table {

enum class Format { automatic, csv, jsonl, npy };
enum class Nan { error, drop };

Format
parse_format(const std::string &text); // "auto", "csv", "jsonl", "npy"; usage error otherwise

struct Column {
  std::string name;
  // A column is categorical when one of its cells is text that is not a number; its values
  // are then in `labels`, and `first_text` says where the first such cell is.
  bool categorical = false;
  std::vector<double> numbers;
  std::vector<std::string> labels;
  std::string first_text;
  std::size_t size() const { return categorical ? labels.size() : numbers.size(); }
};

struct Options {
  Format format = Format::automatic;
  Nan nan = Nan::error;              // drop: rows with a missing or NaN value are left out
  std::vector<std::string> features; // only these columns (all when empty), in this order
  std::string array_field;           // JSON Lines: the field holding an embedding array
};

struct Table {
  std::string source;
  std::vector<Column> columns;
  std::size_t rows = 0;
  std::size_t dropped = 0; // rows left out by Nan::drop
  const Column *find(const std::string &name) const;
};

// Reads a file ("-" for stdin). Errors name the file, line and column (65), a missing file
// (66), or an unknown feature (64).
Table read(const std::string &path, const Options &options = {});

// Reads from bytes already in memory (fuzzing, tests). `format` must not be automatic
// unless the bytes can be sniffed.
Table parse(const std::string &bytes, const std::string &source, const Options &options);

} // namespace aip::table
