// Router networks (design.md section 4): a time-conditioned encoder (the U-Net's down path and
// middle, pooled, for images; the residual MLP for points) with an alpha head (K logits) and,
// for MoG-da, a derivative head (K values projected to sum zero: d alpha/dt sums to zero).
#pragma once
#include <torch/nn/module.h>

#include <memory>

#include "config/config.h"
#include "models/layers.h"
#include "models/mlp.h"
#include "models/unet.h"

namespace ddm {

struct RouterOut {
  torch::Tensor logits;  // [B, K]
  torch::Tensor dalpha;  // [B, K], sums to zero (undefined without a derivative head)
};

class RouterNet : public torch::nn::Module {
 public:
  RouterNet(const Config& cfg, const std::vector<int64_t>& sample_shape, int k, bool derivative_head);
  RouterOut forward(const torch::Tensor& x, const torch::Tensor& t);

 private:
  std::shared_ptr<UNet> unet_;
  std::shared_ptr<MlpNet> mlp_;
  std::shared_ptr<nn::Linear> alpha_head_, deriv_head_;
  int64_t downsample_ = 1;
};

// The architecture the router was built with (checked when loading).
Json router_architecture_json(const Config& cfg, const std::vector<int64_t>& sample_shape, int k);

}  // namespace ddm
