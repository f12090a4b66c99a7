// Router networks (see router_net.h).
#include "router/router_net.h"

namespace ddm {
namespace {
ModelConfig encoder_config(const Config& cfg) {
  ModelConfig m = cfg.model;
  if (cfg.router.channels > 0) m.channels = cfg.router.channels;
  m.dropout = 0;
  return m;
}
}  // namespace

RouterNet::RouterNet(const Config& cfg, const std::vector<int64_t>& shape, int k, bool derivative_head) {
  const ModelConfig m = encoder_config(cfg);
  int64_t width = 0;
  if (resolve_arch(m.arch, shape) == ModelArch::kUnet) {
    UNetOptions o = unet_options(m, shape);
    o.encoder_only = true;
    unet_ = register_module("encoder", std::make_shared<UNet>(o));
    width = unet_->encoder_width();
  } else {
    mlp_ = register_module("encoder", std::make_shared<MlpNet>(shape[0], m.mlp_width, m.mlp_depth));
    width = mlp_->width();
  }
  alpha_head_ = register_module("alpha_head", std::make_shared<nn::Linear>(width, k, nn::Init::kZero));  // starts at uniform alpha
  if (derivative_head) deriv_head_ = register_module("deriv_head", std::make_shared<nn::Linear>(width, k, nn::Init::kZero));
}

RouterOut RouterNet::forward(const torch::Tensor& x, const torch::Tensor& t) {
  const torch::Tensor h = unet_ ? unet_->encode(x, t) : mlp_->encode(x, t);
  RouterOut out;
  out.logits = alpha_head_->forward(h);
  if (deriv_head_) {
    const torch::Tensor g = deriv_head_->forward(h);
    out.dalpha = g - g.mean(1, true);
  }
  return out;
}

Json router_architecture_json(const Config& cfg, const std::vector<int64_t>& shape, int k) {
  Json j = architecture_json(encoder_config(cfg), shape);
  j["k"] = k;
  j["derivative_head"] = cfg.router.kind == RouterKind::kMogDa;
  return j;
}

}  // namespace ddm
