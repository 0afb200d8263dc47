#include "test_util.hpp"

#include <aip/core/error.hpp>
#include <aip/core/npy.hpp>
#include <aip/core/table.hpp>

#include <gtest/gtest.h>

#include <cmath>

using namespace aip;

namespace {
const std::string kNpy = std::string(AIP_SOURCE_DIR) + "/lib/core/tests/data/npy/";

std::string error_of(const std::function<void()> &fn, Exit status = Exit::data) {
  try {
    fn();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), status) << e.what();
    return e.what();
  }
  return "(accepted)";
}
} // namespace

// The .npy files were written by numpy 1.24 (np.save); the expected values are the arrays
// given to it.
TEST(Npy, ReadsWhatNumpyWrites) {
  auto t = table::read(kNpy + "f4_2x3.npy");
  ASSERT_EQ(t.columns.size(), 3U);
  EXPECT_EQ(t.rows, 2U);
  EXPECT_EQ(t.columns[0].name, "x0");
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{-1.0, 0.5}));
  EXPECT_EQ(t.columns[2].numbers, (std::vector<double>{0.0, 1.5}));
  auto i8 = npy::parse(test::slurp(kNpy + "i8_1d.npy"), "i8");
  EXPECT_TRUE(i8.one_dimensional);
  EXPECT_EQ(i8.values, (std::vector<double>{-3, 0, 7, 1099511627776.0}));
  EXPECT_EQ(npy::parse(test::slurp(kNpy + "f8_big.npy"), "b").values,
            (std::vector<double>{1.5, -2.25, 1e300, 3.0}));
  EXPECT_EQ(npy::parse(test::slurp(kNpy + "f2.npy"), "h").values,
            (std::vector<double>{1.0, -0.5, 65504.0, 6.103515625e-05}));
  EXPECT_EQ(npy::parse(test::slurp(kNpy + "u1.npy"), "u").values, (std::vector<double>{0, 255, 7}));
  EXPECT_EQ(npy::parse(test::slurp(kNpy + "i2_big.npy"), "i").values,
            (std::vector<double>{-2, 300}));
  EXPECT_EQ(npy::parse(test::slurp(kNpy + "bool.npy"), "b").values, (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(npy::parse(test::slurp(kNpy + "v2.npy"), "v2").values, (std::vector<double>{0, 1, 2}));
}

TEST(Npy, RejectsWhatItCannotRead) {
  EXPECT_NE(error_of([] { table::read(kNpy + "fortran.npy"); }).find("Fortran-order"),
            std::string::npos);
  EXPECT_NE(error_of([] { table::read(kNpy + "3d.npy"); }).find("3 dimensions"), std::string::npos);
  EXPECT_NE(error_of([] { table::read(kNpy + "complex.npy"); }).find("unsupported dtype '<c16'"),
            std::string::npos);
  EXPECT_NE(error_of([] { table::read(kNpy + "truncated_body.npy"); }).find("truncated data"),
            std::string::npos);
  EXPECT_NE(error_of([] { table::read(kNpy + "truncated_header.npy"); }).find("truncated header"),
            std::string::npos);
  EXPECT_NE(error_of([] { npy::parse("\x93NUMP", "x"); }).find("magic"), std::string::npos);
}

TEST(Npy, WriterRoundTrips) {
  std::vector<double> v{1, -2.5, 3e-300, 4};
  auto a = npy::parse(npy::write_float64(v, 2, 2, false), "w");
  EXPECT_EQ(a.rows, 2U);
  EXPECT_EQ(a.cols, 2U);
  EXPECT_EQ(a.values, v);
  EXPECT_EQ(npy::write_float64(v, 2, 2, false).find('\n'),
            127U); // header ends at a 64-byte boundary
}

TEST(Table, CsvNumericAndCategoricalColumns) {
  test::TempDir dir;
  auto p = dir.write("d.csv", "x,label,y\n1.5,cat,-2\n2,dog, 3e2 \n,cat,4\n");
  table::Options o;
  o.nan = table::Nan::drop;
  auto t = table::read(p, o);
  EXPECT_EQ(t.rows, 2U);
  EXPECT_EQ(t.dropped, 1U);
  EXPECT_EQ(t.find("x")->numbers, (std::vector<double>{1.5, 2}));
  EXPECT_TRUE(t.find("label")->categorical);
  EXPECT_EQ(t.find("label")->labels, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(t.find("y")->numbers, (std::vector<double>{-2, 300}));
  EXPECT_EQ(error_of([&] { table::read(p); }),
            p + ":4, column 'x': missing or NaN value (use --nan drop to leave such rows out)");
  auto q = dir.write("bad.csv", "x,y\n1,2\n3\n");
  EXPECT_EQ(error_of([&] { table::read(q); }), q + ":3: 1 fields, the header has 2");
  auto inf = dir.write("inf.csv", "x\n1\ninf\n");
  EXPECT_EQ(error_of([&] { table::read(inf); }), inf + ":3, column 'x': infinite value");
  auto mixed = dir.write("mixed.csv", "x\n1\n2\nabc\n");
  auto m = table::read(mixed);
  EXPECT_TRUE(m.columns[0].categorical);
  EXPECT_EQ(m.columns[0].first_text, mixed + ":4, column 1 ('x')");
  o.features = {"y", "x"};
  auto sel = table::read(p, o);
  ASSERT_EQ(sel.columns.size(), 2U);
  EXPECT_EQ(sel.columns[0].name, "y");
  o.features = {"z"};
  EXPECT_EQ(error_of([&] { table::read(p, o); }, Exit::usage),
            p + ": no column 'z' (columns: x, label, y)");
}

TEST(Table, JsonLinesFieldsAndEmbeddings) {
  test::TempDir dir;
  auto p = dir.write("d.jsonl",
                     "{\"kind\":\"k\",\"a\":1,\"b\":\"u\",\"c\":[1]}\n\n{\"a\":2.5,\"b\":\"v\"}\n");
  auto t = table::read(p);
  ASSERT_EQ(t.columns.size(), 2U);
  EXPECT_EQ(t.find("a")->numbers, (std::vector<double>{1, 2.5}));
  EXPECT_EQ(t.find("b")->labels, (std::vector<std::string>{"u", "v"}));
  auto e = dir.write("e.jsonl", "{\"id\":1,\"emb\":[0.5,1]}\n{\"id\":2,\"emb\":[2,-1]}\n");
  table::Options o;
  o.array_field = "emb";
  auto emb = table::read(e, o);
  ASSERT_EQ(emb.columns.size(), 2U);
  EXPECT_EQ(emb.columns[1].name, "emb[1]");
  EXPECT_EQ(emb.columns[1].numbers, (std::vector<double>{1, -1}));
  auto bad = dir.write("b.jsonl", "{\"emb\":[1,2]}\n{\"emb\":[1]}\n");
  EXPECT_EQ(error_of([&] { table::read(bad, o); }),
            bad + ":2: field 'emb': 1 values, the first record has 2");
  auto broken = dir.write("x.jsonl", "{\"a\":1}\n{\"a\":\n");
  EXPECT_EQ(error_of([&] { table::read(broken); }), broken + ":2: invalid JSON");
}
