// ddm::format: the formatter every torch translation unit uses instead of fmt.
#include <gtest/gtest.h>

#include "config/enums.h"
#include "util/format.h"

namespace ddm {

TEST(Format, PlaceholdersAndTypes) {
  EXPECT_EQ(format("a {} b {} c", 1, "x"), "a 1 b x c");
  EXPECT_EQ(format("{:.3f}", 3.14159), "3.142");
  EXPECT_EQ(format("{:.2e}", 12345.0), "1.23e+04");
  EXPECT_EQ(format("{:>5}", 42), "   42");
  EXPECT_EQ(format("{:<5}|", "ab"), "ab   |");
  EXPECT_EQ(format("{:05d}", -42), "-0042");
  EXPECT_EQ(format("{:02x}", 10), "0a");
  EXPECT_EQ(format("{}", true), "true");
  EXPECT_EQ(format("{{literal}} {}", 7), "{literal} 7");
  EXPECT_EQ(format("{}", int64_t{1} << 40), "1099511627776");
}

TEST(Format, EnumsUseTheirNames) { EXPECT_EQ(format("{}", ShardMethod::kKmeans), "kmeans"); }

TEST(Format, TooFewArgumentsIsAProgrammingError) { EXPECT_THROW(format("{} {}", 1), std::logic_error); }

}  // namespace ddm
