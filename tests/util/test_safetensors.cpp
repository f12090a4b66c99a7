// safetensors: round trips, a hand-built file, one-line errors for every malformed layout, and
// interoperability with Python's safetensors (its fixture file, and reading ours when installed).
#include <gtest/gtest.h>

#include <cstring>

#include "test_util.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/safetensors.h"

namespace ddm {
namespace {

// A safetensors file from its parts: the 8-byte little-endian header length, header, data.
std::string file_of(const std::string& header, const std::string& data) {
  std::string s;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i, n >>= 8) s += static_cast<char>(n & 0xff);
  return s + header + data;
}

template <class T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

template <class T>
std::vector<T> values(const SafeTensor& t) {
  std::vector<T> v(t.bytes.size() / sizeof(T));
  std::memcpy(v.data(), t.bytes.data(), v.size() * sizeof(T));
  return v;
}

// Writes `bytes` as dir/name, reads it back and expects a one-line error that names the file and
// contains every needle (the key at fault, the kind of failure).
void expect_error(const test::TempDir& dir, const std::string& name, const std::string& bytes,
                  const std::vector<std::string>& needles) {
  test::write_bytes(dir / name, bytes);
  const std::string what = test::error_of([&] { read_safetensors(dir / name); });
  EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  EXPECT_EQ(test::count_lines(what), 1) << what;
  EXPECT_EQ(what.rfind(dir / name, 0), 0u) << what;
  for (const auto& n : needles) EXPECT_NE(what.find(n), std::string::npos) << "no '" << n << "' in: " << what;
}

std::string f32_entry(const std::string& name, const std::string& shape, uint64_t begin, uint64_t end) {
  return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + std::to_string(begin) +
         "," + std::to_string(end) + "]}";
}

}  // namespace

TEST(SafeTensors, RoundTripEveryDtypeWithMetadata) {
  test::TempDir dir;
  const std::vector<double> f64 = {1.5, -2.25, 3e-300, 4e300, 0, -0.0};
  const std::vector<float> f32 = {1.5f, -2.25f, 3.0f};
  const std::vector<uint16_t> half = {0x3c00, 0xc000, 0x7c00, 0x0001};  // F16 / BF16 bit patterns
  const std::vector<int64_t> i64 = {-1, int64_t{1} << 62};
  const std::vector<int32_t> i32 = {-7, 1 << 30};
  const std::vector<int16_t> i16 = {-300, 300};
  const std::vector<int8_t> i8 = {-128, 127, 0};
  const std::vector<uint8_t> u8 = {0, 1, 128, 255};
  const std::vector<uint8_t> flags = {1, 0, 1};
  SafeTensors st;
  st.metadata = {{"format", "pt"}, {"note", "quotes \" and\nnewlines"}};
  st.tensors = {
      {"f64", SafeTensor::from(SafeDType::kF64, {2, 3}, f64.data())},
      {"f32", SafeTensor::from(SafeDType::kF32, {3}, f32.data())},
      {"f16", SafeTensor::from(SafeDType::kF16, {2, 2}, half.data())},
      {"bf16", SafeTensor::from(SafeDType::kBF16, {4}, half.data())},
      {"i64", SafeTensor::from(SafeDType::kI64, {2, 1}, i64.data())},
      {"i32", SafeTensor::from(SafeDType::kI32, {2}, i32.data())},
      {"i16", SafeTensor::from(SafeDType::kI16, {1, 2}, i16.data())},
      {"scalar", SafeTensor::from(SafeDType::kI8, {}, i8.data())},
      {"empty", SafeTensor::from(SafeDType::kF32, {0}, f32.data())},
      {"empty_2d", SafeTensor::from(SafeDType::kF64, {2, 0, 3}, f64.data())},
      {"u8", SafeTensor::from(SafeDType::kU8, {2, 2}, u8.data())},
      {"bool", SafeTensor::from(SafeDType::kBool, {3}, flags.data())},
  };
  write_safetensors(dir / "all.safetensors", st);
  const SafeTensors back = read_safetensors(dir / "all.safetensors");
  EXPECT_EQ(back.metadata, st.metadata);
  ASSERT_EQ(back.tensors.size(), st.tensors.size());
  for (size_t i = 0; i < st.tensors.size(); ++i) {
    const auto& [name, t] = st.tensors[i];
    EXPECT_EQ(back.tensors[i].first, name);  // written contiguously in order: read in order
    EXPECT_EQ(back.tensors[i].second.dtype, t.dtype) << name;
    EXPECT_EQ(back.tensors[i].second.shape, t.shape) << name;
    EXPECT_EQ(back.tensors[i].second.bytes, t.bytes) << name;
  }
  EXPECT_EQ(back.find("scalar")->numel(), 1);
  EXPECT_EQ(back.find("scalar")->bytes.size(), 1u);
  EXPECT_EQ(back.find("empty")->numel(), 0);
  EXPECT_TRUE(back.find("empty_2d")->bytes.empty());
  EXPECT_EQ(back.find("missing"), nullptr);
  EXPECT_EQ(serialize_safetensors(back), read_file(dir / "all.safetensors"));
}

TEST(SafeTensors, HeaderIsPaddedTo8BytesWithMetadataFirst) {
  for (int len = 1; len <= 9; ++len) {
    SafeTensors st;
    st.metadata = {{"k", std::string(static_cast<size_t>(len), 'x')}};
    const uint8_t v = 3;
    st.tensors = {{"t", SafeTensor::from(SafeDType::kU8, {1}, &v)}};
    const std::string s = serialize_safetensors(st);
    uint64_t n = 0;
    std::memcpy(&n, s.data(), 8);
    EXPECT_EQ(n % 8, 0u) << len;
    EXPECT_EQ(s.size(), 8 + n + 1);
    EXPECT_EQ(s.substr(8, 17), "{\"__metadata__\":{");
    EXPECT_EQ(s.back(), 3);
  }
  SafeTensors plain;
  const float f = 1.0f;
  plain.tensors = {{"w", SafeTensor::from(SafeDType::kF32, {}, &f)}};
  const std::string s = serialize_safetensors(plain);
  EXPECT_EQ(s.find("__metadata__"), std::string::npos);
  EXPECT_NE(s.find(R"({"w":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})"), std::string::npos) << s;
}

TEST(SafeTensors, ParsesAHandBuiltFile) {
  // Header order differs from offset order; no padding; tensors read in offset order.
  const std::string header = R"({"b":{"dtype":"I16","shape":[],"data_offsets":[8,10]},)"
                             R"("__metadata__":{"who":"hand"},)"
                             R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string data = raw(std::vector<float>{1.0f, -2.5f}) + raw(std::vector<int16_t>{-3});
  const SafeTensors st = parse_safetensors(file_of(header, data), "hand.safetensors");
  ASSERT_EQ(st.tensors.size(), 2u);
  EXPECT_EQ(st.tensors[0].first, "a");
  EXPECT_EQ(st.tensors[1].first, "b");
  const SafeTensor& a = st.tensors[0].second;
  EXPECT_EQ(a.dtype, SafeDType::kF32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(values<float>(a), (std::vector<float>{1.0f, -2.5f}));
  EXPECT_EQ(st.find("b")->dtype, SafeDType::kI16);
  EXPECT_TRUE(st.find("b")->shape.empty());
  EXPECT_EQ(values<int16_t>(*st.find("b")), (std::vector<int16_t>{-3}));
  EXPECT_EQ(st.metadata, (std::map<std::string, std::string>{{"who", "hand"}}));
  EXPECT_EQ(to_string(SafeDType::kBF16), "BF16");
  EXPECT_EQ(element_size(SafeDType::kBF16), 2u);
}

TEST(SafeTensors, MalformedLayoutsGiveOneLineErrors) {
  test::TempDir dir;
  const std::string d8(8, '\0');
  expect_error(dir, "truncated.st", file_of("{" + f32_entry("w", "[2]", 0, 8) + "}", d8.substr(0, 4)),
               {"truncated", "\"w\"", "4 bytes", "up to 8"});
  expect_error(dir, "size.st", file_of("{" + f32_entry("w", "[3]", 0, 8) + "}", d8), {"\"w\"", "[3]", "needs 12"});
  expect_error(dir, "overlap.st",
               file_of("{" + f32_entry("a", "[2]", 0, 8) + "," + f32_entry("b", "[2]", 4, 12) + "}", d8 + "1234"),
               {"overlap", "\"a\"", "\"b\""});
  expect_error(dir, "gap.st",
               file_of("{" + f32_entry("a", "[2]", 0, 8) + "," + f32_entry("b", "[2]", 12, 20) + "}", d8 + d8 + "1234"),
               {"gap", "\"b\"", "[8, 12)"});
  expect_error(dir, "tail.st", file_of("{" + f32_entry("a", "[2]", 0, 8) + "}", d8 + "xy"),
               {"2 bytes of data after the last tensor", "\"a\""});
  expect_error(dir, "nothing.st", file_of("{}", "xy"), {"no tensors"});
  expect_error(dir, "dtype.st", file_of(R"({"w":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}})", d8),
               {"\"w\"", "unknown dtype \"F128\"", "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL"});
  expect_error(dir, "shape.st", file_of("{" + f32_entry("w", "[-2]", 0, 8) + "}", d8), {"\"w\"", "shape [-2]"});
  expect_error(dir, "shape2.st", file_of("{" + f32_entry("w", "[2.0]", 0, 8) + "}", d8), {"\"w\"", "shape"});
  expect_error(dir, "absurd.st", file_of("{" + f32_entry("w", "[4611686018427387904,4]", 0, 8) + "}", d8),
               {"\"w\"", "too large"});
  expect_error(dir, "offsets.st", file_of("{" + f32_entry("w", "[2]", 8, 0) + "}", d8), {"\"w\"", "data_offsets"});
  expect_error(dir, "nooffsets.st", file_of(R"({"w":{"dtype":"F32","shape":[2]}})", d8), {"\"w\"", "data_offsets"});
  expect_error(dir, "entry.st", file_of(R"({"w":[1,2]})", d8), {"\"w\"", "not an object"});
  expect_error(dir, "meta.st", file_of(R"({"__metadata__":{"k":1}})", ""), {"__metadata__", "\"k\""});
  expect_error(dir, "meta2.st", file_of(R"({"__metadata__":[]})", ""), {"__metadata__"});
}

TEST(SafeTensors, BadHeadersGiveOneLineErrors) {
  test::TempDir dir;
  expect_error(dir, "short.st", "abc", {"shorter than the 8-byte header length"});
  std::string huge = file_of("{}", "");
  huge[3] = 0x10;  // 268435456 + 2 bytes: over the 100 MB limit
  expect_error(dir, "huge.st", huge, {"header length 268435458", "exceeds", "100000000"});
  std::string beyond = file_of("{}", "");
  beyond[0] = 100;
  expect_error(dir, "beyond.st", beyond, {"header length 100", "beyond the end of the file (10 bytes)"});
  expect_error(dir, "json.st", file_of("{\"w\": ", ""), {"invalid JSON"});
  expect_error(dir, "array.st", file_of("[1, 2]", ""), {"not a JSON object"});
  expect_error(dir, "binary.st", file_of("{\"\xff\":1}", ""), {"invalid JSON"});
}

TEST(SafeTensors, WriterRejectsInconsistentTensors) {
  test::TempDir dir;
  const std::vector<float> v = {1, 2, 3};
  SafeTensors st;
  st.tensors = {{"w", SafeTensor::from(SafeDType::kF32, {3}, v.data())}};
  st.tensors[0].second.shape = {2, 2};
  std::string what = test::error_of([&] { write_safetensors(dir / "bad.st", st); });
  EXPECT_NE(what.find(dir / "bad.st"), std::string::npos) << what;
  EXPECT_NE(what.find("\"w\": 12 bytes"), std::string::npos) << what;
  EXPECT_FALSE(path_exists(dir / "bad.st"));
  st.tensors = {{"w", SafeTensor::from(SafeDType::kF32, {3}, v.data())},
                {"w", SafeTensor::from(SafeDType::kF32, {1}, v.data())}};
  EXPECT_NE(test::error_of([&] { serialize_safetensors(st); }).find("twice"), std::string::npos);
  st.tensors = {{"__metadata__", SafeTensor::from(SafeDType::kF32, {1}, v.data())}};
  EXPECT_THROW(serialize_safetensors(st), Error);
  st.tensors = {{"w", SafeTensor::from(SafeDType::kF32, {1}, v.data())}};
  st.tensors[0].second.shape = {-1};
  EXPECT_THROW(serialize_safetensors(st), Error);
  st.tensors[0].second.shape = {1};
  st.metadata = {{"bad", "\xff"}};
  EXPECT_THROW(serialize_safetensors(st), Error);
}

TEST(SafeTensors, ReadsPythonsFile) {
  const std::string path = std::string(DDM_SOURCE_DIR) + "/tests/fixtures/safetensors/python.safetensors";
  if (!path_exists(path)) GTEST_SKIP() << "no " << path << " (run tests/fixtures/safetensors/make.py)";
  const SafeTensors st = read_safetensors(path);
  EXPECT_EQ(st.metadata, (std::map<std::string, std::string>{{"format", "pt"}, {"source", "ddm test"}}));
  ASSERT_EQ(st.tensors.size(), 4u);
  const SafeTensor* w = st.find("weight");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->dtype, SafeDType::kF32);
  EXPECT_EQ(w->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(*w), (std::vector<float>{0, 0.5f, 1, 1.5f, 2, 2.5f}));
  const SafeTensor* b = st.find("bias");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->dtype, SafeDType::kF64);
  EXPECT_EQ(b->shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(values<double>(*b), (std::vector<double>{1.5, -2, 3.25}));
  const SafeTensor* s = st.find("step");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->dtype, SafeDType::kI64);
  EXPECT_TRUE(s->shape.empty());
  EXPECT_EQ(values<int64_t>(*s), (std::vector<int64_t>{7}));
  const SafeTensor* m = st.find("mask");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dtype, SafeDType::kU8);
  EXPECT_EQ(m->shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(values<uint8_t>(*m), (std::vector<uint8_t>{0, 1, 2, 255}));
}

TEST(SafeTensors, PythonReadsOurs) {
  if (std::string(DDM_TEST_PYTHON).empty() ||
      test::run_command(std::string(DDM_TEST_PYTHON) + " -c 'import numpy, safetensors'").status != 0)
    GTEST_SKIP() << "no python with numpy and safetensors at " << DDM_TEST_PYTHON;
  test::TempDir dir;
  const std::vector<float> w = {0.5f, -1, 2, 4};
  const int64_t step = 9;
  const uint8_t flags[2] = {1, 0};
  SafeTensors st;
  st.metadata = {{"format", "pt"}};
  st.tensors = {{"flags", SafeTensor::from(SafeDType::kBool, {2}, flags)},  // 1-byte first: unaligned data
                {"w", SafeTensor::from(SafeDType::kF32, {2, 2}, w.data())},
                {"step", SafeTensor::from(SafeDType::kI64, {}, &step)},
                {"none", SafeTensor::from(SafeDType::kF64, {0, 3}, w.data())}};
  write_safetensors(dir / "ours.safetensors", st);
  test::write_bytes(dir / "check.py",
                    "import sys, numpy as np\n"
                    "from safetensors import safe_open\n"
                    "from safetensors.numpy import load_file\n"
                    "d = load_file(sys.argv[1])\n"
                    "assert d['w'].dtype == np.float32 and d['w'].tolist() == [[0.5, -1], [2, 4]], d['w']\n"
                    "assert d['step'].dtype == np.int64 and d['step'].shape == () and int(d['step']) == 9\n"
                    "assert d['flags'].dtype == np.bool_ and d['flags'].tolist() == [True, False]\n"
                    "assert d['none'].dtype == np.float64 and d['none'].shape == (0, 3)\n"
                    "with safe_open(sys.argv[1], 'np') as f: assert f.metadata() == {'format': 'pt'}\n");
  const auto r =
      test::run_command(std::string(DDM_TEST_PYTHON) + " " + (dir / "check.py") + " " + (dir / "ours.safetensors"));
  EXPECT_EQ(r.status, 0) << r.output;
}

}  // namespace ddm
