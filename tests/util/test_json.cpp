// JSON on nlohmann-json: what ddm relies on (key order, exact integers, NaN as null) and the
// errors it adds (file, line and column; nlohmann's tag removed), and the metrics.jsonl writer.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"

namespace ddm {

TEST(Json, RoundTripKeepsValuesAndKeyOrder) {
  Json j = Json::object();
  j["int"] = int64_t{-9007199254740993};  // beyond double precision: kept exactly
  j["pi"] = 3.141592653589793;
  j["s"] = "quote\" backslash\\ newline\n tab\t";
  j["list"] = std::vector<int64_t>{1, 2, 3};
  j["nested"]["flag"] = true;
  j["nothing"] = nullptr;
  for (int indent : {-1, 2}) {
    const Json back = parse_json(j.dump(indent), "t.json");
    EXPECT_EQ(back.at("int").get<int64_t>(), -9007199254740993);
    EXPECT_EQ(back.at("pi").get<double>(), 3.141592653589793);  // shortest round-trip form
    EXPECT_EQ(back.at("s").get<std::string>(), j.at("s").get<std::string>());
    EXPECT_EQ(back.at("list").get<std::vector<int64_t>>(), (std::vector<int64_t>{1, 2, 3}));
    EXPECT_TRUE(back.at("nested").at("flag").get<bool>());
    EXPECT_TRUE(back.at("nothing").is_null());
    EXPECT_EQ(back.dump(), j.dump());
  }
  Json order;
  order["b"] = 1;
  order["a"] = 2;
  EXPECT_EQ(order.dump(), R"({"b":1,"a":2})");
}

TEST(Json, NonFiniteNumbersBecomeNull) { EXPECT_EQ(Json(std::nan("")).dump(), "null"); }

TEST(Json, ParseErrorsNameFileLineAndColumn) {
  EXPECT_EQ(test::error_of([] {
              parse_json("{\n  \"a\": 1,\n  \"b\" 2\n}", "m.json");
            }).rfind("m.json:3:7: invalid JSON: ", 0),
            0u)
      << test::error_of([] { parse_json("{\n  \"a\": 1,\n  \"b\" 2\n}", "m.json"); });
  EXPECT_EQ(test::error_of([] { parse_json("[1, 2", "cut.json"); }).rfind("cut.json:1:6: invalid JSON: ", 0), 0u)
      << test::error_of([] { parse_json("[1, 2", "cut.json"); });
  EXPECT_NE(test::error_of([] { parse_json("{} x", "m.json"); }).find("m.json:1:4:"), std::string::npos);
  EXPECT_NE(test::error_of([] { parse_json("\"unterminated", "m.json"); }).find("m.json:1:"), std::string::npos);
}

TEST(Json, ErrorsLoseNlohmannsTag) {
  try {
    (void)Json::object().at("k");
    FAIL() << "no error";
  } catch (const std::exception& e) {
    EXPECT_EQ(json_error(e), "key 'k' not found");
  }
  EXPECT_EQ(json_error(Error("plain")), "plain");
}

TEST(Json, JsonlWriterAppendsOneObjectPerLine) {
  test::TempDir dir;
  const JsonlWriter w(dir / "m.jsonl");
  w.write(Json{{"step", 1}, {"loss", 0.5}});
  JsonlWriter(dir / "m.jsonl").write(Json{{"step", 2}, {"loss", 0.25}});  // a resumed run appends
  const std::string text = read_file(dir / "m.jsonl");
  EXPECT_EQ(text, "{\"step\":1,\"loss\":0.5}\n{\"step\":2,\"loss\":0.25}\n");
}

// Integers from files: exact integers and integral floats in range pass; fractions,
// out-of-range values and other types are refused instead of being cast (undefined behaviour).
TEST(Json, IntegersFromFilesAreChecked) {
  EXPECT_EQ(json_int(Json::parse("42")), 42);
  EXPECT_EQ(json_int(Json::parse("-9223372036854775808")), INT64_MIN);
  EXPECT_EQ(json_int(Json::parse("3.0")), 3);
  EXPECT_EQ(json_ints(Json::parse("[1, 2.0, -3]")), (std::vector<int64_t>{1, 2, -3}));
  for (const char* bad : {"1e100", "2.5", "9223372036854775808", "18446744073709551615", "\"7\"", "null", "9.3e18"})
    EXPECT_EQ(test::error_of([&] { json_int(Json::parse(bad)); }).rfind("expected an integer, got ", 0), 0u) << bad;
  EXPECT_NE(test::error_of([&] { json_ints(Json::parse("{}")); }).find("expected an array of integers"),
            std::string::npos);
}

}  // namespace ddm
