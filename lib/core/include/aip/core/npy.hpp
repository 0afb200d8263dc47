// NumPy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
// magic "\x93NUMPY", version, a little-endian header length, a Python-literal header dict
// with 'descr', 'fortran_order' and 'shape', then the data.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aip::npy {

// A 1-D or 2-D array in C order, converted to double. 1-D arrays have cols == 1.
struct Array {
  std::size_t rows = 0, cols = 0;
  bool one_dimensional = false;
  std::string dtype;          // the descr as written, e.g. "<f4"
  std::vector<double> values; // row-major, rows * cols
};

// Reads float16/32/64 and signed/unsigned integers of 1, 2, 4 and 8 bytes, either byte
// order, and booleans. Anything else (Fortran order, 3-D, structured or object dtypes, a
// truncated header or body) is an Error with the data status naming `name`.
Array parse(std::string_view bytes, const std::string &name);

// Writes a float64 C-order array (tests, and tools that save embeddings).
std::string write_float64(const std::vector<double> &values, std::size_t rows, std::size_t cols,
                          bool one_dimensional);

} // namespace aip::npy
