#include "aip/core/npy.hpp"

#include "aip/core/error.hpp"

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace aip::npy {
namespace {

[[noreturn]] void bad(const std::string &name, const std::string &why) {
  data_error(name + ": not a readable .npy file: " + why);
}

// The value of `key` in the header dict, as raw text up to the next top-level ',' or '}'.
std::string_view dict_value(std::string_view header, std::string_view key,
                            const std::string &name) {
  for (char quote : {'\'', '"'}) {
    std::string k = std::string(1, quote) + std::string(key) + std::string(1, quote);
    auto at = header.find(k);
    if (at == std::string_view::npos) continue;
    auto colon = header.find(':', at + k.size());
    if (colon == std::string_view::npos)
      bad(name, "header key '" + std::string(key) + "' has no value");
    std::size_t start = colon + 1;
    while (start < header.size() && header[start] == ' ') ++start;
    int depth = 0;
    std::size_t end = start;
    char in_quote = 0;
    for (; end < header.size(); ++end) {
      char c = header[end];
      if (in_quote != 0) {
        if (c == in_quote) in_quote = 0;
        continue;
      }
      if (c == '\'' || c == '"')
        in_quote = c;
      else if (c == '(' || c == '[')
        ++depth;
      else if (c == ')' || c == ']')
        --depth;
      else if ((c == ',' || c == '}') && depth == 0)
        break;
    }
    if (depth != 0 || in_quote != 0)
      bad(name, "header value of '" + std::string(key) + "' is malformed");
    return header.substr(start, end - start);
  }
  bad(name, "header lacks '" + std::string(key) + "'");
}

double half_to_double(std::uint16_t h) {
  // IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 fraction bits.
  int sign = (h >> 15) != 0 ? -1 : 1;
  int exp = (h >> 10) & 0x1f;
  int frac = h & 0x3ff;
  if (exp == 0) return sign * std::ldexp(frac, -24);
  if (exp == 31)
    return frac == 0 ? sign * std::numeric_limits<double>::infinity()
                     : std::numeric_limits<double>::quiet_NaN();
  return sign * std::ldexp(1024 + frac, exp - 25);
}

} // namespace

Array parse(std::string_view bytes, const std::string &name) {
  static constexpr std::string_view magic = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.substr(0, 6) != magic) bad(name, "missing the \\x93NUMPY magic");
  const auto *u = reinterpret_cast<const unsigned char *>(bytes.data());
  int major = u[6];
  std::size_t header_len, offset;
  if (major == 1) {
    header_len = u[8] | (static_cast<std::size_t>(u[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) bad(name, "truncated header");
    header_len = u[8] | (static_cast<std::size_t>(u[9]) << 8) |
                 (static_cast<std::size_t>(u[10]) << 16) | (static_cast<std::size_t>(u[11]) << 24);
    offset = 12;
  } else {
    bad(name, "unsupported format version " + std::to_string(major));
  }
  if (header_len > bytes.size() - offset) bad(name, "truncated header");
  std::string_view header = bytes.substr(offset, header_len);
  offset += header_len;

  Array a;
  std::string_view descr = dict_value(header, "descr", name);
  if (descr.size() < 3 || (descr.front() != '\'' && descr.front() != '"') ||
      descr.back() != descr.front())
    bad(name, "unsupported dtype " + std::string(descr));
  a.dtype = std::string(descr.substr(1, descr.size() - 2));
  std::string_view fortran = dict_value(header, "fortran_order", name);
  if (fortran != "False")
    bad(name, "Fortran-order arrays are not supported (save with np.ascontiguousarray)");
  std::string_view shape = dict_value(header, "shape", name);
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') bad(name, "malformed shape");
  std::vector<std::size_t> dims;
  std::size_t pos = 1;
  while (pos < shape.size() - 1) {
    while (pos < shape.size() - 1 && (shape[pos] == ' ' || shape[pos] == ',')) ++pos;
    if (pos >= shape.size() - 1) break;
    std::size_t v = 0, digits = 0;
    while (pos < shape.size() - 1 && std::isdigit(static_cast<unsigned char>(shape[pos])) != 0) {
      if (v > (std::numeric_limits<std::size_t>::max() - 9) / 10) bad(name, "shape too large");
      v = v * 10 + static_cast<std::size_t>(shape[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 ||
        (pos < shape.size() - 1 && shape[pos] != ',' && shape[pos] != ' ' && shape[pos] != 'L'))
      bad(name, "malformed shape " + std::string(shape));
    if (pos < shape.size() - 1 && shape[pos] == 'L') ++pos;
    dims.push_back(v);
  }
  if (dims.empty() || dims.size() > 2)
    bad(name, "expected a 1-D or 2-D array, got " + std::to_string(dims.size()) + " dimensions");
  a.one_dimensional = dims.size() == 1;
  a.rows = dims[0];
  a.cols = a.one_dimensional ? 1 : dims[1];

  const std::string &dt = a.dtype;
  char order = dt[0];
  char kind = dt.size() > 1 ? dt[1] : '?';
  std::size_t width = dt.size() > 2 ? static_cast<std::size_t>(std::atoi(dt.c_str() + 2)) : 0;
  bool little =
      order == '<' || order == '|' || (order == '=' && std::endian::native == std::endian::little);
  if (order != '<' && order != '>' && order != '|' && order != '=')
    bad(name, "unsupported dtype '" + dt + "'");
  bool ok =
      (kind == 'f' && (width == 2 || width == 4 || width == 8)) ||
      ((kind == 'i' || kind == 'u') && (width == 1 || width == 2 || width == 4 || width == 8)) ||
      (kind == 'b' && width == 1);
  if (!ok || dt.size() != 2 + std::to_string(width).size())
    bad(name, "unsupported dtype '" + dt + "' (float16/32/64, integers and bool are)");
  if (a.cols != 0 && a.rows > std::numeric_limits<std::size_t>::max() / a.cols / width)
    bad(name, "shape too large");
  std::size_t count = a.rows * a.cols;
  if (bytes.size() - offset < count * width)
    bad(name, "truncated data: the header promises " + std::to_string(count) + " values of " +
                  std::to_string(width) + " bytes, the file holds " +
                  std::to_string(bytes.size() - offset) + " bytes");
  a.values.resize(count);
  const unsigned char *p = u + offset;
  for (std::size_t i = 0; i < count; ++i, p += width) {
    std::uint64_t raw = 0;
    for (std::size_t b = 0; b < width; ++b) {
      std::size_t shift = little ? b : width - 1 - b;
      raw |= static_cast<std::uint64_t>(p[b]) << (8 * shift);
    }
    double v;
    if (kind == 'f') {
      if (width == 2)
        v = half_to_double(static_cast<std::uint16_t>(raw));
      else if (width == 4)
        v = std::bit_cast<float>(static_cast<std::uint32_t>(raw));
      else
        v = std::bit_cast<double>(raw);
    } else if (kind == 'u' || kind == 'b') {
      v = static_cast<double>(raw);
    } else {
      // Sign-extend from `width` bytes.
      std::uint64_t sign_bit = std::uint64_t{1} << (8 * width - 1);
      std::int64_t s = width == 8 ? static_cast<std::int64_t>(raw)
                                  : static_cast<std::int64_t>((raw ^ sign_bit) - sign_bit);
      v = static_cast<double>(s);
    }
    a.values[i] = v;
  }
  return a;
}

std::string write_float64(const std::vector<double> &values, std::size_t rows, std::size_t cols,
                          bool one_dimensional) {
  std::string shape = one_dimensional
                          ? "(" + std::to_string(rows) + ",)"
                          : "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
  // Version 1.0: the magic, version, length and header are padded to a multiple of 64 with
  // spaces and end with '\n'.
  std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  for (double v : values) {
    auto raw = std::bit_cast<std::uint64_t>(v);
    for (int b = 0; b < 8; ++b) out += static_cast<char>((raw >> (8 * b)) & 0xff);
  }
  return out;
}

} // namespace aip::npy
