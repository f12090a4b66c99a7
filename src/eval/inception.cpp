// pytorch-fid's InceptionV3 (see inception.h). Block layouts follow torchvision's Inception3 and
// pytorch-fid's FID variants; branch names are the state_dict's.
#include "eval/inception.h"

#include <array>
#include <cmath>
#include <map>

#include "models/torch_state_dict.h"
#include "util/error.h"
#include "util/format.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/npy.h"
#include "util/progress.h"

namespace ddm {
namespace {

using Pair = std::array<int64_t, 2>;

// Conv (no bias) + BatchNorm (eps 1e-3, inference statistics) + ReLU: torchvision's BasicConv2d.
class BasicConv : public torch::nn::Module {
 public:
  BasicConv(int64_t in, int64_t out, Pair kernel, Pair stride = {1, 1}, Pair padding = {0, 0})
      : stride_(stride), padding_(padding) {
    auto conv = register_module("conv", std::make_shared<torch::nn::Module>());
    // Variance-preserving random init so that a random-weight forward pass stays finite.
    const double std_dev = std::sqrt(2.0 / static_cast<double>(in * kernel[0] * kernel[1]));
    weight_ = conv->register_parameter("weight", torch::randn({out, in, kernel[0], kernel[1]}) * std_dev, false);
    auto bn = register_module("bn", std::make_shared<torch::nn::Module>());
    gamma_ = bn->register_parameter("weight", torch::ones({out}), false);
    beta_ = bn->register_parameter("bias", torch::zeros({out}), false);
    mean_ = bn->register_buffer("running_mean", torch::zeros({out}));
    var_ = bn->register_buffer("running_var", torch::ones({out}));
  }
  BasicConv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0)
      : BasicConv(in, out, {kernel, kernel}, {stride, stride}, {padding, padding}) {}

  torch::Tensor forward(const torch::Tensor& x) const {
    const torch::Tensor y = torch::conv2d(x, weight_, {}, stride_, padding_);
    return torch::relu(torch::batch_norm(y, gamma_, beta_, mean_, var_, false, 0.0, 1e-3, true));
  }

 private:
  Pair stride_, padding_;
  torch::Tensor weight_, gamma_, beta_, mean_, var_;
};

class Block : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;

 protected:
  std::shared_ptr<BasicConv> conv(const std::string& name, int64_t in, int64_t out, Pair kernel, Pair stride = {1, 1},
                                  Pair padding = {0, 0}) {
    return register_module(name, std::make_shared<BasicConv>(in, out, kernel, stride, padding));
  }
  std::shared_ptr<BasicConv> conv(const std::string& name, int64_t in, int64_t out, int64_t kernel, int64_t stride = 1,
                                  int64_t padding = 0) {
    return conv(name, in, out, {kernel, kernel}, {stride, stride}, {padding, padding});
  }
};

// 3x3 average pool, stride 1, padding not counted (the TF graph's pooling in the FID blocks).
torch::Tensor avg_pool_3x3(const torch::Tensor& x) {
  return torch::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}, false, false);
}

class FidInceptionA : public Block {  // Mixed_5b..5d
 public:
  FidInceptionA(int64_t in, int64_t pool_features)
      : b1_(conv("branch1x1", in, 64, 1)),
        b5a_(conv("branch5x5_1", in, 48, 1)),
        b5b_(conv("branch5x5_2", 48, 64, 5, 1, 2)),
        d1_(conv("branch3x3dbl_1", in, 64, 1)),
        d2_(conv("branch3x3dbl_2", 64, 96, 3, 1, 1)),
        d3_(conv("branch3x3dbl_3", 96, 96, 3, 1, 1)),
        pool_(conv("branch_pool", in, pool_features, 1)) {}
  torch::Tensor forward(const torch::Tensor& x) override {
    return torch::cat({b1_->forward(x), b5b_->forward(b5a_->forward(x)), d3_->forward(d2_->forward(d1_->forward(x))),
                       pool_->forward(avg_pool_3x3(x))},
                      1);
  }

 private:
  std::shared_ptr<BasicConv> b1_, b5a_, b5b_, d1_, d2_, d3_, pool_;
};

class InceptionB : public Block {  // Mixed_6a: grid reduction 35 -> 17
 public:
  explicit InceptionB(int64_t in)
      : b3_(conv("branch3x3", in, 384, 3, 2)),
        d1_(conv("branch3x3dbl_1", in, 64, 1)),
        d2_(conv("branch3x3dbl_2", 64, 96, 3, 1, 1)),
        d3_(conv("branch3x3dbl_3", 96, 96, 3, 2)) {}
  torch::Tensor forward(const torch::Tensor& x) override {
    return torch::cat(
        {b3_->forward(x), d3_->forward(d2_->forward(d1_->forward(x))), torch::max_pool2d(x, {3, 3}, {2, 2})}, 1);
  }

 private:
  std::shared_ptr<BasicConv> b3_, d1_, d2_, d3_;
};

class FidInceptionC : public Block {  // Mixed_6b..6e: factorised 7x7
 public:
  FidInceptionC(int64_t in, int64_t c7)
      : b1_(conv("branch1x1", in, 192, 1)),
        s1_(conv("branch7x7_1", in, c7, 1)),
        s2_(conv("branch7x7_2", c7, c7, {1, 7}, {1, 1}, {0, 3})),
        s3_(conv("branch7x7_3", c7, 192, {7, 1}, {1, 1}, {3, 0})),
        d1_(conv("branch7x7dbl_1", in, c7, 1)),
        d2_(conv("branch7x7dbl_2", c7, c7, {7, 1}, {1, 1}, {3, 0})),
        d3_(conv("branch7x7dbl_3", c7, c7, {1, 7}, {1, 1}, {0, 3})),
        d4_(conv("branch7x7dbl_4", c7, c7, {7, 1}, {1, 1}, {3, 0})),
        d5_(conv("branch7x7dbl_5", c7, 192, {1, 7}, {1, 1}, {0, 3})),
        pool_(conv("branch_pool", in, 192, 1)) {}
  torch::Tensor forward(const torch::Tensor& x) override {
    const torch::Tensor s = s3_->forward(s2_->forward(s1_->forward(x)));
    const torch::Tensor d = d5_->forward(d4_->forward(d3_->forward(d2_->forward(d1_->forward(x)))));
    return torch::cat({b1_->forward(x), s, d, pool_->forward(avg_pool_3x3(x))}, 1);
  }

 private:
  std::shared_ptr<BasicConv> b1_, s1_, s2_, s3_, d1_, d2_, d3_, d4_, d5_, pool_;
};

class InceptionD : public Block {  // Mixed_7a: grid reduction 17 -> 8
 public:
  explicit InceptionD(int64_t in)
      : a1_(conv("branch3x3_1", in, 192, 1)),
        a2_(conv("branch3x3_2", 192, 320, 3, 2)),
        b1_(conv("branch7x7x3_1", in, 192, 1)),
        b2_(conv("branch7x7x3_2", 192, 192, {1, 7}, {1, 1}, {0, 3})),
        b3_(conv("branch7x7x3_3", 192, 192, {7, 1}, {1, 1}, {3, 0})),
        b4_(conv("branch7x7x3_4", 192, 192, 3, 2)) {}
  torch::Tensor forward(const torch::Tensor& x) override {
    return torch::cat({a2_->forward(a1_->forward(x)), b4_->forward(b3_->forward(b2_->forward(b1_->forward(x)))),
                       torch::max_pool2d(x, {3, 3}, {2, 2})},
                      1);
  }

 private:
  std::shared_ptr<BasicConv> a1_, a2_, b1_, b2_, b3_, b4_;
};

class FidInceptionE : public Block {  // Mixed_7b (average pool) and Mixed_7c (max pool)
 public:
  FidInceptionE(int64_t in, bool max_pool)
      : max_pool_(max_pool),
        b1_(conv("branch1x1", in, 320, 1)),
        t1_(conv("branch3x3_1", in, 384, 1)),
        t2a_(conv("branch3x3_2a", 384, 384, {1, 3}, {1, 1}, {0, 1})),
        t2b_(conv("branch3x3_2b", 384, 384, {3, 1}, {1, 1}, {1, 0})),
        d1_(conv("branch3x3dbl_1", in, 448, 1)),
        d2_(conv("branch3x3dbl_2", 448, 384, 3, 1, 1)),
        d3a_(conv("branch3x3dbl_3a", 384, 384, {1, 3}, {1, 1}, {0, 1})),
        d3b_(conv("branch3x3dbl_3b", 384, 384, {3, 1}, {1, 1}, {1, 0})),
        pool_(conv("branch_pool", in, 192, 1)) {}
  torch::Tensor forward(const torch::Tensor& x) override {
    const torch::Tensor t = t1_->forward(x);
    const torch::Tensor d = d2_->forward(d1_->forward(x));
    const torch::Tensor p = max_pool_ ? torch::max_pool2d(x, {3, 3}, {1, 1}, {1, 1}) : avg_pool_3x3(x);
    return torch::cat(
        {b1_->forward(x), t2a_->forward(t), t2b_->forward(t), d3a_->forward(d), d3b_->forward(d), pool_->forward(p)},
        1);
  }

 private:
  bool max_pool_;
  std::shared_ptr<BasicConv> b1_, t1_, t2a_, t2b_, d1_, d2_, d3a_, d3b_, pool_;
};

// Name -> tensor, from either file format.
std::map<std::string, torch::Tensor> read_weights(const std::string& path) {
  require(path_exists(path),
          "{}: no such Inception weights file (pytorch-fid's {}: download it once from "
          "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/{})",
          path, kInceptionWeightsName, kInceptionWeightsName);
  std::map<std::string, torch::Tensor> out;
  if (to_lower(path).ends_with(".npz")) {
    for (auto& [name, a] : read_npz(path)) {
      const std::vector<double> v = a.to_finite_double(path + ": " + name);
      out[name] = torch::tensor(v, torch::kFloat64).reshape(a.shape).to(torch::kFloat32);
    }
    return out;
  }
  // The state dict through ddm's hardened torch.save reader (the fuzzed one, models/torch_state_dict.h).
  try {
    for (const auto& [name, t] : read_torch_state_dict(path)) out[name] = t;
  } catch (const Error& e) {
    fail(
        "{}; convert it once with `python scripts/convert_inception_weights.py {} inception.npz` (a python with "
        "torch) and pass the .npz",
        e.what(), path);
  }
  return out;
}

}  // namespace

InceptionV3::InceptionV3() {
  auto stem = [&](const std::string& name, std::shared_ptr<BasicConv> c) {
    stem_.push_back(register_module(name, std::move(c)));
  };
  stem("Conv2d_1a_3x3", std::make_shared<BasicConv>(3, 32, 3, 2));
  stem("Conv2d_2a_3x3", std::make_shared<BasicConv>(32, 32, 3));
  stem("Conv2d_2b_3x3", std::make_shared<BasicConv>(32, 64, 3, 1, 1));
  stem("Conv2d_3b_1x1", std::make_shared<BasicConv>(64, 80, 1));
  stem("Conv2d_4a_3x3", std::make_shared<BasicConv>(80, 192, 3));
  auto mixed = [&](const std::string& name, std::shared_ptr<Block> b) {
    mixed_.push_back(register_module(name, std::move(b)));
  };
  mixed("Mixed_5b", std::make_shared<FidInceptionA>(192, 32));
  mixed("Mixed_5c", std::make_shared<FidInceptionA>(256, 64));
  mixed("Mixed_5d", std::make_shared<FidInceptionA>(288, 64));
  mixed("Mixed_6a", std::make_shared<InceptionB>(288));
  mixed("Mixed_6b", std::make_shared<FidInceptionC>(768, 128));
  mixed("Mixed_6c", std::make_shared<FidInceptionC>(768, 160));
  mixed("Mixed_6d", std::make_shared<FidInceptionC>(768, 160));
  mixed("Mixed_6e", std::make_shared<FidInceptionC>(768, 192));
  mixed("Mixed_7a", std::make_shared<InceptionD>(768));
  mixed("Mixed_7b", std::make_shared<FidInceptionE>(1280, false));
  mixed("Mixed_7c", std::make_shared<FidInceptionE>(2048, true));
}

torch::Tensor InceptionV3::features(const torch::Tensor& x) {
  require(x.dim() == 4 && (x.size(1) == 1 || x.size(1) == 3),
          "Inception features need [B, 1 or 3, H, W] images, got {}", x.sizes());
  torch::NoGradGuard no_grad;
  // pytorch-fid: bilinear resize of [0, 1] images, then 2x - 1; resizing commutes with that map.
  torch::Tensor h = torch::upsample_bilinear2d(x.to(torch::kFloat32), {kResolution, kResolution}, false);
  if (h.size(1) == 1) h = h.expand({-1, 3, -1, -1});
  auto conv = [](const std::shared_ptr<torch::nn::Module>& m, const torch::Tensor& t) {
    return static_cast<BasicConv&>(*m).forward(t);
  };
  h = conv(stem_[0], h);
  h = conv(stem_[1], h);
  h = torch::max_pool2d(conv(stem_[2], h), {3, 3}, {2, 2});  // block 0 ends
  h = conv(stem_[3], h);
  h = torch::max_pool2d(conv(stem_[4], h), {3, 3}, {2, 2});  // block 1 ends
  for (const auto& m : mixed_) h = static_cast<Block&>(*m).forward(h);
  return h.mean({2, 3});  // adaptive average pool to 1 x 1
}

void load_inception_weights(InceptionV3& net, const std::string& path) {
  const auto weights = read_weights(path);
  torch::NoGradGuard no_grad;
  int64_t loaded = 0;
  auto assign = [&](const std::string& name, torch::Tensor& dst) {
    const auto it = weights.find(name);
    require(it != weights.end(), "{}: no tensor '{}': not pytorch-fid's Inception weights ({})", path, name,
            kInceptionWeightsName);
    require(it->second.sizes() == dst.sizes(), "{}: '{}' has shape {}, the network expects {}", path, name,
            it->second.sizes(), dst.sizes());
    dst.copy_(it->second);
    ++loaded;
  };
  for (auto& p : net.named_parameters()) assign(p.key(), p.value());
  for (auto& b : net.named_buffers()) assign(b.key(), b.value());
  log::debug("{}: loaded {} Inception tensors ({} in the file)", path, loaded, weights.size());
}

torch::Tensor inception_features(InceptionV3& net, const torch::Tensor& images, torch::Device device, int64_t batch,
                                 bool progress) {
  net.to(device);
  net.eval();
  const int64_t n = images.size(0);
  std::unique_ptr<ProgressBar> bar;
  if (progress) bar = std::make_unique<ProgressBar>("inception", n, "img");
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < n; i += batch) {
    out.push_back(net.features(images.slice(0, i, i + batch).to(device)).to(torch::kCPU, torch::kFloat64));
    if (bar) bar->update(std::min(n, i + batch));
  }
  if (bar) bar->finish();
  return torch::cat(out);
}

}  // namespace ddm
