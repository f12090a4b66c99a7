// Residual MLP denoiser (see mlp.h).
#include "models/mlp.h"

#include "util/format.h"

namespace ddm {

MlpNet::MlpNet(int64_t dim, int64_t width, int depth) : width_(width) {
  in_ = register_module("in", std::make_shared<nn::Linear>(dim, width));
  temb_ = register_module("temb", std::make_shared<nn::Linear>(128, width));
  for (int i = 0; i < depth; ++i)
    hidden_.push_back(register_module(format("hidden{}", i), std::make_shared<nn::Linear>(width, width)));
  out_ = register_module("out", std::make_shared<nn::Linear>(width, dim, nn::Init::kZero));
}

torch::Tensor MlpNet::encode(const torch::Tensor& x, const torch::Tensor& t) {
  torch::Tensor h = in_->forward(x) + temb_->forward(nn::timestep_embedding(t, 128));
  for (const auto& l : hidden_) h = h + l->forward(torch::silu(h));
  return torch::silu(h);
}

torch::Tensor MlpNet::forward(const torch::Tensor& x, const torch::Tensor& t) { return out_->forward(encode(x, t)); }

}  // namespace ddm
