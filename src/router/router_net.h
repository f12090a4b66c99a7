// Router networks (design.md section 4): a time-conditioned encoder (the U-Net's down path and
// middle, pooled, for images; the residual MLP for points) with an alpha head (K logits) and,
// for MoG-da, a derivative head that predicts the logit velocity c_hat (design.md section 4; the
// derivative alpha (c_hat - <alpha, c_hat>) is formed with whatever alpha the caller has). Its
// output is c per unit log-SNR (router.velocity_scale), and it may sit on its own encoder
// (router.derivative_net).
#pragma once
#include <torch/nn/module.h>

#include <memory>
#include <optional>

#include "config/config_fwd.h"
#include "config/router_config.h"
#include "diffusion/schedule.h"
#include "models/layers.h"
#include "models/mlp.h"
#include "models/unet.h"

namespace ddm {

struct RouterOut {
  torch::Tensor logits;    // [B, K]
  torch::Tensor velocity;  // [B, K] logit velocity c_hat (MoG-da only)
  // d alpha/dt at `alpha`: alpha (c_hat - <alpha, c_hat>).
  torch::Tensor derivative(const torch::Tensor& alpha) const;
  // The outputs in float32 (a bf16 forward's, before any loss or integration).
  RouterOut to_float() const;
};

// What a router network is built from: its encoder's model settings and the router's own. A
// checkpoint's architecture record holds all of it, so loading needs no training configuration.
struct RouterArch {
  ModelConfig encoder;  // model.* as the router uses them (router.channels applied, no dropout)
  int downsample = 1;
  DerivativeNet derivative_net = DerivativeNet::kShared;
  VelocityScale velocity_scale = VelocityScale::kNone;
  Schedule schedule{ScheduleKind::kLinear};  // whose |lambda'(t)| scales c_hat (velocity_scale=log-snr)
};
// For training: the model, router and diffusion sections.
RouterArch router_arch(const ModelConfig& model, const RouterConfig& rc, const DiffusionConfig& diffusion);
// From a checkpoint's architecture record and schedule (keys it lacks: the old behaviour).
RouterArch router_arch(const Json& architecture, const Schedule& schedule, const std::string& source);

class RouterNet : public torch::nn::Module {
 public:
  // `derivative_head`: MoG-da's logit-velocity head (MoG-a and the Sobolev router have none).
  RouterNet(const RouterArch& arch, const std::vector<int64_t>& sample_shape, int k, bool derivative_head);
  RouterOut forward(const torch::Tensor& x, const torch::Tensor& t);
  // Draws the heads' weights (alpha head, then derivative head) from N(0, std^2) with the global
  // generator: the zero-initialised heads of an untrained router give constant outputs, and
  // benchmarks need a router whose routing varies with x, reproducibly for a given seed.
  void randomize_heads(double std);

 private:
  // One encoder: the U-Net's down path (images) or the residual MLP (points).
  struct Encoder {
    std::shared_ptr<UNet> unet;
    std::shared_ptr<MlpNet> mlp;
    int64_t width = 0;
  };
  Encoder make_encoder(const ModelConfig& m, const std::vector<int64_t>& shape, const std::string& name);
  torch::Tensor encode(const Encoder& e, const torch::Tensor& x, const torch::Tensor& t) const;

  Encoder encoder_, deriv_encoder_;  // deriv_encoder_: router.derivative_net=separate only
  std::shared_ptr<nn::Linear> alpha_head_, deriv_head_;
  std::optional<Schedule> velocity_scale_;  // the schedule whose |lambda'(t)| scales c_hat
  int64_t downsample_ = 1;
};

// Whether a router of this kind has a derivative head (MoG-da only).
inline bool has_derivative_head(RouterKind kind) { return kind == RouterKind::kMogDa; }
// The architecture the router was built with (checked when loading).
Json router_architecture_json(const ModelConfig& model, const RouterConfig& rc,
                              const std::vector<int64_t>& sample_shape, int k);

}  // namespace ddm
