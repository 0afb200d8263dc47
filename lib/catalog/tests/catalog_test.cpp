#include <aip/catalog/metadata.hpp>
#include <gtest/gtest.h>
TEST(Catalog, Placeholder) { EXPECT_EQ(aip::catalog::latest_version(), "2.3.0"); }
