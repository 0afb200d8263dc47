#include <aip/core/error.hpp>
#include <aip/core/table.hpp>
#include <aip/drift/detect.hpp>
#include <aip/drift/html.hpp>

#include <aip/core/markup.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

using namespace aip;

namespace {
const std::string kData = std::string(AIP_SHARED_DATA_DIR) + "/drift/";

table::Table csv(const std::string &text, const std::string &name = "t.csv") {
  return table::parse(text, name, table::Options{table::Format::csv, table::Nan::error, {}, ""});
}
} // namespace

TEST(Detect, KsRecordCarriesScipysNumbers) {
  auto ref = table::read(kData + "ks-shift/reference.csv"),
       cur = table::read(kData + "ks-shift/current.csv");
  auto r = drift::detect(ref, cur, {});
  ASSERT_EQ(r.features.size(), 1U);
  const auto &d = r.features[0];
  EXPECT_EQ(d.method, "ks");
  EXPECT_EQ(d.feature, "x");
  EXPECT_NEAR(d.statistic, 0.08225, 1e-12); // scipy.stats.ks_2samp, expected.json
  EXPECT_NEAR(*d.p_value, 0.0046195072322336725, 1e-9);
  EXPECT_TRUE(d.drift);
  EXPECT_EQ(*d.n_ref, 1000U);
  EXPECT_TRUE(r.drift());
  EXPECT_DOUBLE_EQ(r.dataset.statistic, 1.0);
}

TEST(Detect, AndersonKuiperBwsRecords) {
  auto ref = table::read(kData + "anderson-0/reference.csv"),
       cur = table::read(kData + "anderson-0/current.csv");
  drift::DetectOptions o;
  o.methods = {"anderson", "kuiper", "bws"};
  auto r = drift::detect(ref, cur, o);
  ASSERT_EQ(r.features.size(), 3U);
  EXPECT_EQ(r.features[0].method, "anderson");
  EXPECT_NEAR(r.features[0].statistic, 2.74707960358154,
              1e-9); // scipy anderson_ksamp, expected.json
  EXPECT_NEAR(*r.features[0].p_value, 0.024474635914086, 1e-9);
  EXPECT_EQ(r.features[0].params["p_value_mode"], "table-interpolated");
  EXPECT_EQ(r.features[1].method, "kuiper");
  EXPECT_EQ(r.features[2].method, "bws");
  EXPECT_EQ(r.features[2].params["p_value_mode"], "asymptotic"); // continuous data: no ties
  // Kuiper's V is at least KS's D and at most twice it.
  o.methods = {"ks"};
  double d = drift::detect(ref, cur, o).features[0].statistic;
  EXPECT_GE(r.features[1].statistic, d);
  EXPECT_LE(r.features[1].statistic, 2 * d);
}

TEST(Detect, CorrectionAndDatasetShare) {
  // Feature a moves, b does not: with 2 tests Bonferroni doubles each p-value.
  std::string ref = "a,b\n", cur = "a,b\n";
  for (int i = 0; i < 60; ++i) {
    ref += std::to_string(i) + "," + std::to_string(i % 7) + "\n";
    cur += std::to_string(i + 40) + "," + std::to_string((i + 3) % 7) + "\n";
  }
  drift::DetectOptions o;
  auto plain = drift::detect(csv(ref), csv(cur), o);
  o.correction = stats::Correction::bonferroni;
  auto corrected = drift::detect(csv(ref), csv(cur), o);
  ASSERT_EQ(plain.features.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i)
    EXPECT_NEAR(*corrected.features[i].p_value, std::min(1.0, 2 * *plain.features[i].p_value),
                1e-15);
  EXPECT_TRUE(corrected.features[0].drift);
  EXPECT_FALSE(corrected.features[1].drift);
  EXPECT_DOUBLE_EQ(corrected.dataset.statistic, 0.5);
  o.max_drift_share = 0.5; // half drifted is not more than half
  EXPECT_FALSE(drift::detect(csv(ref), csv(cur), o).drift());
}

TEST(Detect, CategoricalFeaturesGetChiSquare) {
  auto ref = table::read(kData + "chi2-1/reference.csv"),
       cur = table::read(kData + "chi2-1/current.csv");
  drift::DetectOptions o;
  o.methods = {"ks", "welch"};
  auto r = drift::detect(ref, cur, o);
  ASSERT_EQ(r.features.size(), 1U); // chi2 once, not once per numeric method
  EXPECT_EQ(r.features[0].method, "chi2");
  EXPECT_NEAR(r.features[0].statistic, 21.400631496986612, 1e-9); // scipy chi2_contingency
}

TEST(Detect, DistancesAndMmdTakePermutationPValues) {
  auto ref = table::read(kData + "mmd-0/reference.csv"),
       cur = table::read(kData + "mmd-0/current.csv");
  drift::DetectOptions o;
  o.methods = {"mmd", "wasserstein"};
  o.permutations = 200;
  o.seed = 5;
  auto r = drift::detect(ref, cur, o);
  ASSERT_EQ(r.features.size(), 3U);
  EXPECT_EQ(r.features[0].method, "mmd");
  EXPECT_FALSE(r.features[0].feature.has_value());
  EXPECT_NEAR(r.features[0].statistic, 0.004212997424787979, 1e-9); // numpy, expected.json
  EXPECT_NEAR(r.features[0].params["sigma"].get<double>(), 1.7922673429024232, 1e-9);
  // p = (b + 1) / (B + 1): a multiple of 1/201.
  double scaled = *r.features[1].p_value * 201;
  EXPECT_NEAR(scaled, std::round(scaled), 1e-9);
}

TEST(Detect, MismatchedInputsAreNamed) {
  try {
    drift::detect(csv("a,b\n1,2\n"), csv("a\n1\n", "cur.csv"), {});
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::data);
    EXPECT_EQ(std::string(e.what()), "cur.csv: no column 'b' (the reference has it)");
  }
  try {
    drift::detect(csv("a\n1\n2\n"), csv("a\n1\nzwei\n", "cur.csv"), {});
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(
        std::string(e.what()),
        "cur.csv:3, column 1 ('a'): not a number, but the column is numeric in the reference data");
  }
  drift::DetectOptions o;
  o.methods = {"magic"};
  EXPECT_THROW(drift::detect(csv("a\n1\n"), csv("a\n1\n"), o), Error);
}

TEST(Html, HistogramCountsByHandAndSelfContainedReport) {
  // Bins of width 1 over [0, 4]: 0.5 -> 0, 1 -> 1, 1.5 -> 1, 3.9 -> 3, 4 -> 3 (last bin closed), -1
  // clamps to 0.
  EXPECT_EQ(drift::histogram({0.5, 1, 1.5, 3.9, 4, -1}, 0, 4, 4),
            (std::vector<double>{2, 2, 0, 2}));
  EXPECT_EQ(aip::escape_markup("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  auto ref = csv("x,c\n1,u\n2,v\n3,u\n"), cur = csv("x,c\n7,v\n8,v\n9,w\n");
  drift::HtmlInput in;
  in.title = "ref <vs> cur";
  in.reference = &ref;
  in.current = &cur;
  records::Drift d;
  d.method = "ks";
  d.feature = "x";
  d.drift = true;
  records::Drift c = d;
  c.method = "chi2";
  c.feature = "c";
  in.results = {d, c};
  auto html = drift::render_html(in);
  EXPECT_NE(html.find("<title>ref &lt;vs&gt; cur</title>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg")); // no external resources
  auto svgs = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 2);
  EXPECT_NE(html.find("Drift detected: 2 of 2 tests"), std::string::npos);
}
