// JSON: round trips, escapes, and parse errors that name the place.
#include <gtest/gtest.h>

#include <cmath>

#include "util/error.h"
#include "util/json.h"

namespace ddm {

TEST(Json, RoundTrip) {
  Json j = Json::object();
  j["int"] = int64_t{-9007199254740993};  // beyond double precision: kept exactly
  j["pi"] = 3.141592653589793;
  j["s"] = "quote\" backslash\\ newline\n tab\t";
  j["list"] = Json(std::vector<int>{1, 2, 3});
  j["nested"]["flag"] = true;
  j["nothing"] = nullptr;
  for (int indent : {-1, 2}) {
    const Json back = Json::parse(j.dump(indent));
    EXPECT_EQ(back.at("int").as_int(), -9007199254740993);
    EXPECT_DOUBLE_EQ(back.at("pi").as_double(), 3.141592653589793);
    EXPECT_EQ(back.at("s").as_string(), j.at("s").as_string());
    EXPECT_EQ(back.at("list").as_int_vector(), (std::vector<int64_t>{1, 2, 3}));
    EXPECT_TRUE(back.at("nested").at("flag").as_bool());
    EXPECT_TRUE(back.at("nothing").is_null());
    EXPECT_EQ(back.dump(), j.dump());
  }
}

TEST(Json, KeepsInsertionOrder) {
  Json j;
  j["b"] = 1;
  j["a"] = 2;
  EXPECT_EQ(j.dump(), R"({"b":1,"a":2})");
}

TEST(Json, UnicodeEscapes) { EXPECT_EQ(Json::parse(R"("\u00e9\ud83d\ude00")").as_string(), "\xc3\xa9\xf0\x9f\x98\x80"); }

TEST(Json, ErrorsNameFileLineAndColumn) {
  try {
    Json::parse("{\n  \"a\": 1,\n  \"b\" 2\n}", "m.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "m.json:3:7: invalid JSON: expected ':'");
  }
  EXPECT_THROW(Json::parse("[1, 2"), Error);
  EXPECT_THROW(Json::parse("{} x"), Error);
  EXPECT_THROW(Json::parse("\"unterminated"), Error);
  EXPECT_THROW(Json::object().at("missing"), Error);
}

TEST(Json, NonFiniteNumbersBecomeNull) { EXPECT_EQ(Json(std::nan("")).dump(), "null"); }

}  // namespace ddm
