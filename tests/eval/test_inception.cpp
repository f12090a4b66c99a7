// pytorch-fid's InceptionV3: its state_dict names and shapes (a list written from pytorch-fid by
// scripts/pytorch_fid_reference.py), a random-weight forward pass, weights loaded by name from
// .npz and from torch.save's format, clear errors for bad files; and, where a python with
// pytorch-fid is named by DDM_FID_PYTHON, features equal to pytorch-fid's for the same weights.
#include <gtest/gtest.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>
#include <map>
#include <sstream>

#include "eval/inception.h"
#include "test_util.h"
#include "util/fs.h"
#include "util/npy.h"

namespace ddm {
namespace {

std::string shape_string(torch::IntArrayRef s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out.empty() ? "scalar" : out;
}

std::map<std::string, torch::Tensor> state(InceptionV3& net) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : net.named_parameters()) out[p.key()] = p.value();
  for (const auto& b : net.named_buffers()) out[b.key()] = b.value();
  return out;
}

torch::Tensor test_images() {
  torch::manual_seed(11);
  return torch::rand({2, 1, 28, 28}) * 2 - 1;
}

TEST(Inception, NamesAndShapesMatchPytorchFid) {
  std::ifstream in(std::string(DDM_SOURCE_DIR) + "/tests/eval/data/pytorch_fid_inception_keys.txt");
  ASSERT_TRUE(in.good());
  std::map<std::string, std::string> want;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string name, shape;
    ls >> name >> shape;
    // The classifier head and BatchNorm's step counters play no part in the pool features.
    if (name.rfind("fc.", 0) == 0 || name.ends_with("num_batches_tracked")) continue;
    want[name] = shape;
  }
  ASSERT_GT(want.size(), 300u);
  InceptionV3 net;
  std::map<std::string, std::string> got;
  for (const auto& [name, t] : state(net)) got[name] = shape_string(t.sizes());
  EXPECT_EQ(got, want);
}

TEST(Inception, RandomWeightsGive2048dFeatures) {
  torch::manual_seed(0);
  InceptionV3 net;
  const torch::Tensor f = net.features(test_images());
  ASSERT_EQ(f.sizes(), torch::IntArrayRef({2, InceptionV3::kFeatures}));
  EXPECT_TRUE(torch::isfinite(f).all().item<bool>());
  EXPECT_GT((f[0] - f[1]).abs().max().item<double>(), 0.0);
  EXPECT_GE(f.min().item<double>(), 0.0);  // mean of ReLU outputs
}

TEST(Inception, LoadsWeightsByNameFromNpzAndTorchSave) {
  test::TempDir dir;
  torch::manual_seed(1);
  InceptionV3 a;
  torch::manual_seed(2);
  InceptionV3 b, c;
  std::vector<std::pair<std::string, NpyArray>> arrays;
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [name, t] : state(a)) {
    const torch::Tensor v = t.contiguous();
    std::vector<int64_t> shape(v.sizes().begin(), v.sizes().end());
    arrays.emplace_back(name, NpyArray::from(NpyType::kF32, shape, v.data_ptr<float>()));
    dict.insert(name, v);
  }
  dict.insert("fc.weight", torch::zeros({1008, 2048}));  // extra keys are ignored
  write_npz(dir / "w.npz", arrays);
  const std::vector<char> bytes = torch::jit::pickle_save(c10::IValue(dict));
  test::write_bytes(dir / "w.pth", std::string(bytes.begin(), bytes.end()));
  const torch::Tensor x = test_images();
  const torch::Tensor fa = a.features(x);
  EXPECT_GT((b.features(x) - fa).abs().max().item<double>(), 1e-3);
  load_inception_weights(b, dir / "w.npz");
  load_inception_weights(c, dir / "w.pth");
  EXPECT_TRUE(torch::allclose(b.features(x), fa, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(c.features(x), fa, 1e-5, 1e-6));
}

TEST(Inception, BadWeightFilesNameTheProblem) {
  test::TempDir dir;
  InceptionV3 net;
  auto message = [&](const std::string& path) {
    try {
      load_inception_weights(net, path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(dir / "none.pth").find(kInceptionWeightsName), std::string::npos);
  // All tensors but one: the missing one is named.
  std::vector<std::pair<std::string, NpyArray>> arrays;
  for (const auto& [name, t] : state(net)) {
    const torch::Tensor v = t.contiguous();
    if (name == "Mixed_6b.branch7x7_2.conv.weight") continue;
    std::vector<int64_t> shape(v.sizes().begin(), v.sizes().end());
    if (name == "Conv2d_1a_3x3.bn.weight") shape = {1};  // and one of the wrong shape
    arrays.emplace_back(name, NpyArray::from(NpyType::kF32, shape, v.data_ptr<float>()));
  }
  write_npz(dir / "bad.npz", arrays);
  const std::string bad = message(dir / "bad.npz");
  EXPECT_NE(bad.find("'Conv2d_1a_3x3.bn.weight' has shape [1]"), std::string::npos) << bad;
  arrays.erase(
      std::find_if(arrays.begin(), arrays.end(), [](const auto& a) { return a.first == "Conv2d_1a_3x3.bn.weight"; }));
  arrays.emplace_back("Conv2d_1a_3x3.bn.weight",
                      NpyArray::from(NpyType::kF32, {32}, state(net)["Conv2d_1a_3x3.bn.weight"].data_ptr<float>()));
  write_npz(dir / "missing.npz", arrays);
  const std::string missing = message(dir / "missing.npz");
  EXPECT_NE(missing.find("no tensor 'Mixed_6b.branch7x7_2.conv.weight'"), std::string::npos) << missing;
  test::write_bytes(dir / "junk.pth", "not a torch file");
  EXPECT_NE(message(dir / "junk.pth").find("convert_inception_weights.py"), std::string::npos);
}

// The python that runs pytorch-fid: DDM_FID_PYTHON when set, else the test python with the
// packages scripts/setup.sh puts in .venv/fid-site (kept apart: PyPI's torchvision, built for CUDA
// torch, would break diffusers' import in .venv); "" when neither is there.
std::string fid_python() {
  if (const char* p = std::getenv("DDM_FID_PYTHON"); p && *p) return p;
  if (std::string(DDM_TEST_PYTHON).empty() || !path_exists(std::string(DDM_FID_SITE) + "/pytorch_fid")) return "";
  return format("PYTHONPATH={} {}", DDM_FID_SITE, DDM_TEST_PYTHON);
}

// Same random weights through pytorch-fid and through ddm (CI runs it: scripts/setup.sh installs
// pytorch-fid 0.3.0 and torchvision; the weights are seeded, nothing downloads).
TEST(InceptionReference, MatchesPytorchFid) {
  const std::string python = fid_python();
  if (python.empty())
    GTEST_SKIP() << "no pytorch-fid: scripts/setup.sh installs it into .venv/fid-site, or set DDM_FID_PYTHON";
  test::TempDir dir;
  const auto r = test::run_command(
      format("{} {}/scripts/pytorch_fid_reference.py forward {}", python, DDM_SOURCE_DIR, dir.path()));
  ASSERT_EQ(r.status, 0) << r.output;
  // The state_dict as pytorch-fid's file holds it goes through the conversion script; a plain dict
  // saved by torch.save loads directly.
  const auto conv = test::run_command(format("{} {}/scripts/convert_inception_weights.py {} {}", python, DDM_SOURCE_DIR,
                                             dir / "state_dict.pth", dir / "converted.npz"));
  ASSERT_EQ(conv.status, 0) << conv.output;
  InceptionV3 net, direct;
  load_inception_weights(net, dir / "converted.npz");
  load_inception_weights(direct, dir / "weights.pth");
  const auto io = read_npz(dir / "io.npz");
  const NpyArray& im = io.at("images");
  const torch::Tensor u8 = torch::from_blob(const_cast<uint8_t*>(im.data<uint8_t>()), im.shape, torch::kUInt8).clone();
  const torch::Tensor want =
      torch::tensor(io.at("features").to_double(), torch::kFloat64).reshape(io.at("features").shape);
  const torch::Tensor got = net.features(u8.to(torch::kFloat32) / 127.5 - 1).to(torch::kFloat64);
  ASSERT_EQ(got.sizes(), want.sizes());
  const double rel = ((got - want).norm() / want.norm()).item<double>();
  EXPECT_LT(rel, 1e-5) << "relative difference to pytorch-fid's features";
  EXPECT_TRUE(
      torch::allclose(direct.features(u8.to(torch::kFloat32) / 127.5 - 1).to(torch::kFloat64), got, 1e-6, 1e-8));
}

}  // namespace
}  // namespace ddm
