// .npy/.npz: round trips, and interoperability with numpy itself when the test python has it.
#include <gtest/gtest.h>

#include "test_util.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/npy.h"

namespace ddm {

TEST(Npy, RoundTripEveryDtype) {
  test::TempDir dir;
  const std::vector<double> f64 = {1.5, -2.25, 3e-300, 4e300, 0, -0.0};
  const std::vector<float> f32 = {1.5f, -2.25f, 3.0f, 4.0f, 5.0f, 6.0f};
  const std::vector<uint8_t> u8 = {0, 1, 127, 128, 254, 255};
  const std::vector<int64_t> i64 = {-1, 0, 1, int64_t{1} << 62, 7, 9};
  const std::vector<std::pair<std::string, NpyArray>> arrays = {
      {"f64", NpyArray::from(NpyType::kF64, {2, 3}, f64.data())},
      {"f32", NpyArray::from(NpyType::kF32, {6}, f32.data())},
      {"u8", NpyArray::from(NpyType::kU8, {1, 2, 3}, u8.data())},
      {"i64", NpyArray::from(NpyType::kI64, {3, 2}, i64.data())},
  };
  for (const auto& [name, a] : arrays) {
    write_npy(dir / (name + ".npy"), a);
    const NpyArray b = read_npy(dir / (name + ".npy"));
    EXPECT_EQ(b.dtype, a.dtype);
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.bytes, a.bytes);
  }
  write_npz(dir / "all.npz", arrays);
  const auto back = read_npz(dir / "all.npz");
  ASSERT_EQ(back.size(), arrays.size());
  for (const auto& [name, a] : arrays) {
    EXPECT_EQ(back.at(name).shape, a.shape) << name;
    EXPECT_EQ(back.at(name).bytes, a.bytes) << name;
  }
}

TEST(Npy, DataStartsOn64ByteBoundary) {
  const float v = 1.0f;
  const std::string s = serialize_npy(NpyArray::from(NpyType::kF32, {1}, &v));
  EXPECT_EQ((s.size() - sizeof(float)) % 64, 0u);
}

TEST(Npy, BadFilesGiveClearErrors) {
  test::TempDir dir;
  test::write_bytes(dir / "bad.npy", "not numpy at all");
  EXPECT_THROW(read_npy(dir / "bad.npy"), Error);
  const std::vector<float> v(100, 1.0f);
  std::string good = serialize_npy(NpyArray::from(NpyType::kF32, {100}, v.data()));
  test::write_bytes(dir / "short.npy", good.substr(0, good.size() - 10));
  try {
    read_npy(dir / "short.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  write_npz(dir / "a.npz", {{"x", NpyArray::from(NpyType::kF32, {100}, v.data())}});
  std::string z = read_file(dir / "a.npz");
  z[100] ^= 0x5a;  // corrupt a data byte: the CRC must catch it
  test::write_bytes(dir / "corrupt.npz", z);
  EXPECT_THROW(read_npz(dir / "corrupt.npz"), Error);
  test::write_bytes(dir / "cut.npz", z.substr(0, 50));
  EXPECT_THROW(read_npz(dir / "cut.npz"), Error);
}

// A member's declared size is compared with data.max_bytes before it is read.
TEST(Npy, NpzMembersAboveMaxBytesAreRefused) {
  test::TempDir dir;
  const std::vector<float> v(100, 1.0f);
  const NpyArray a = NpyArray::from(NpyType::kF32, {100}, v.data());
  write_npz(dir / "a.npz", {{"x", a}});
  const size_t member = serialize_npy(a).size();
  EXPECT_EQ(read_npz(dir / "a.npz", static_cast<int64_t>(member)).at("x").bytes, a.bytes);
  EXPECT_EQ(test::error_of([&] { read_npz(dir / "a.npz", 100); }),
            dir / "a.npz" +
                format(": zip entry x.npy declares {} bytes, more than data.max_bytes = 100 (raise data.max_bytes if "
                       "the file is genuine)",
                       member));
}

TEST(NpyNumpy, NumpyReadsOursAndWeReadNumpys) {
  if (!test::python_has_numpy()) GTEST_SKIP() << "no python with numpy at " << DDM_TEST_PYTHON;
  test::TempDir dir;
  const std::vector<double> mu = {0.5, -1.25, 2.0};
  const std::vector<uint8_t> img = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 255};
  write_npz(dir / "ours.npz", {{"mu", NpyArray::from(NpyType::kF64, {3}, mu.data())},
                               {"samples", NpyArray::from(NpyType::kU8, {2, 2, 1, 3}, img.data())}});
  const std::string script =
      "import numpy as np, sys\n"
      "d = np.load(sys.argv[1])\n"
      "assert d['mu'].dtype == np.float64 and d['mu'].tolist() == [0.5, -1.25, 2.0], d['mu']\n"
      "s = d['samples']\n"
      "assert s.dtype == np.uint8 and s.shape == (2, 2, 1, 3) and s.reshape(-1).tolist() == "
      "[0,10,20,30,40,50,60,70,80,90,100,255]\n"
      "rng = np.random.default_rng(0)\n"
      "np.savez(sys.argv[2], mu=np.arange(5, dtype=np.float64) / 4, sigma=np.eye(3), i=np.array([[1, -2]], "
      "dtype=np.int64))\n"
      "np.savez_compressed(sys.argv[3], x=np.arange(1000, dtype=np.float32))\n";
  test::write_bytes(dir / "check.py", script);
  const auto r = test::run_command(std::string(DDM_TEST_PYTHON) + " " + (dir / "check.py") + " " + (dir / "ours.npz") +
                                   " " + (dir / "theirs.npz") + " " + (dir / "compressed.npz"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto theirs = read_npz(dir / "theirs.npz");
  EXPECT_EQ(theirs.at("mu").to_double(), (std::vector<double>{0, 0.25, 0.5, 0.75, 1.0}));
  EXPECT_EQ(theirs.at("sigma").shape, (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(theirs.at("sigma").to_double(), (std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(theirs.at("i").to_double(), (std::vector<double>{1, -2}));
  const auto compressed = read_npz(dir / "compressed.npz");
  const auto x = compressed.at("x").to_double();
  ASSERT_EQ(x.size(), 1000u);
  EXPECT_EQ(x[999], 999.0);
}

}  // namespace ddm
