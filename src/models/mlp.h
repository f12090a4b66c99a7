// The denoiser for low-dimensional points (2-D mixtures): a residual MLP on [x, time embedding].
#pragma once
#include <memory>
#include <vector>

#include "models/layers.h"
#include "models/network.h"

namespace ddm {

class MlpNet : public Network {
 public:
  MlpNet(int64_t dim, int64_t width, int depth);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t) override;
  // Hidden features after the residual layers (the router's encoder for points).
  torch::Tensor encode(const torch::Tensor& x, const torch::Tensor& t);
  int64_t width() const { return width_; }

 private:
  int64_t width_;
  std::shared_ptr<nn::Linear> in_, temb_, out_;
  std::vector<std::shared_ptr<nn::Linear>> hidden_;
};

}  // namespace ddm
