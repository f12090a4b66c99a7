// Router networks (see router_net.h).
#include "router/router_net.h"

#include <numeric>

#include "config/config.h"
#include "router/alpha_dynamics.h"
#include "router/sobolev.h"
#include "util/error.h"

namespace ddm {
namespace {
ModelConfig encoder_config(const ModelConfig& model, const RouterConfig& rc) {
  ModelConfig m = model;
  if (rc.channels > 0) {
    m.channels = rc.channels;
    // A narrow encoder keeps GroupNorm valid: groups divide the base width.
    m.groups = std::gcd(m.groups, m.channels);
  }
  m.dropout = 0;
  return m;
}
}  // namespace

torch::Tensor RouterOut::derivative(const torch::Tensor& alpha) const { return dalpha_from_velocity(alpha, velocity); }

RouterArch router_arch(const ModelConfig& model, const RouterConfig& rc, const DiffusionConfig& diffusion) {
  RouterArch a;
  a.encoder = encoder_config(model, rc);
  a.downsample = rc.downsample;
  a.derivative_net = rc.derivative_net;
  a.velocity_scale = rc.velocity_scale;
  a.schedule = Schedule::from_config(diffusion);
  return a;
}

RouterArch router_arch(const Json& arch, const Schedule& schedule, const std::string& source) {
  RouterArch a;
  a.encoder = model_config_from_architecture(arch, source);
  a.downsample = static_cast<int>(arch.value("downsample", 1));
  a.derivative_net =
      parse_enum<DerivativeNet>(arch.value("derivative_net", std::string("shared")), source + ": derivative_net");
  if (arch.contains("velocity_scale"))
    a.velocity_scale =
        parse_enum<VelocityScale>(arch.at("velocity_scale").get<std::string>(), source + ": velocity_scale");
  a.schedule = schedule;
  return a;
}

RouterNet::Encoder RouterNet::make_encoder(const ModelConfig& m, const std::vector<int64_t>& shape,
                                           const std::string& name) {
  Encoder e;
  if (resolve_arch(m.arch, shape) == ModelArch::kUnet) {
    UNetOptions o = unet_options(m, {shape[0], shape[1] / downsample_, shape[2] / downsample_});
    o.encoder_only = true;
    e.unet = register_module(name, std::make_shared<UNet>(o));
    e.width = e.unet->encoder_width();
  } else {
    e.mlp = register_module(name, std::make_shared<MlpNet>(shape[0], m.mlp_width, m.mlp_depth));
    e.width = e.mlp->width();
  }
  return e;
}

RouterNet::RouterNet(const RouterArch& arch, const std::vector<int64_t>& shape, int k, bool derivative_head) {
  if (resolve_arch(arch.encoder.arch, shape) == ModelArch::kUnet) {
    // The router only classifies: a pooled input (router.downsample) cuts its cost by f^2.
    downsample_ = arch.downsample;
    require(shape[1] % downsample_ == 0 && shape[2] % downsample_ == 0,
            "router.downsample={} must divide the image size {}x{}", downsample_, shape[1], shape[2]);
  }
  encoder_ = make_encoder(arch.encoder, shape, "encoder");
  alpha_head_ = register_module(
      "alpha_head", std::make_shared<nn::Linear>(encoder_.width, k, nn::Init::kZero));  // starts at uniform alpha
  if (!derivative_head) return;
  const bool separate = arch.derivative_net == DerivativeNet::kSeparate;
  if (separate) deriv_encoder_ = make_encoder(arch.encoder, shape, "deriv_encoder");
  deriv_head_ = register_module(
      "deriv_head", std::make_shared<nn::Linear>((separate ? deriv_encoder_ : encoder_).width, k, nn::Init::kZero));
  if (arch.velocity_scale == VelocityScale::kLogSnr) velocity_scale_ = arch.schedule;
}

torch::Tensor RouterNet::encode(const Encoder& e, const torch::Tensor& x, const torch::Tensor& t) const {
  if (e.mlp) return e.mlp->encode(x, t);
  return downsample_ > 1 ? e.unet->encode(torch::avg_pool2d(x, downsample_), t) : e.unet->encode(x, t);
}

RouterOut RouterOut::to_float() const {
  RouterOut out = *this;
  for (torch::Tensor* v : {&out.logits, &out.velocity})
    if (v->defined()) *v = v->to(torch::kFloat32);
  return out;
}

RouterOut RouterNet::forward(const torch::Tensor& x, const torch::Tensor& t) {
  const torch::Tensor h = encode(encoder_, x, t);
  RouterOut out;
  out.logits = alpha_head_->forward(h);
  if (deriv_head_) {
    const torch::Tensor g = deriv_head_->forward(deriv_encoder_.width > 0 ? encode(deriv_encoder_, x, t) : h);
    if (!velocity_scale_)
      out.velocity = g;  // c is defined up to a constant: no projection needed
    else
      out.velocity = g * log_snr_rate(*velocity_scale_, t.to(torch::kFloat32)).abs().to(g.scalar_type()).unsqueeze(1);
  }
  return out;
}

void RouterNet::randomize_heads(double std) {
  torch::NoGradGuard no_grad;
  alpha_head_->weight().normal_(0, std);
  if (deriv_head_) deriv_head_->weight().normal_(0, std);
}

Json router_architecture_json(const ModelConfig& model, const RouterConfig& rc, const std::vector<int64_t>& shape,
                              int k) {
  Json j = architecture_json(encoder_config(model, rc), shape);
  j["k"] = k;
  if (shape.size() == 3 && rc.downsample > 1) j["downsample"] = rc.downsample;  // old routers unchanged
  const bool head = has_derivative_head(rc.kind);
  j["derivative_head"] = head;
  if (head) j["derivative"] = "logit";  // routers written before this key had the retired raw head
  if (head && rc.velocity_scale != VelocityScale::kNone)
    j["velocity_scale"] = to_string(rc.velocity_scale);  // routers without the key: none
  if (head && rc.derivative_net == DerivativeNet::kSeparate) j["derivative_net"] = "separate";
  return j;
}

}  // namespace ddm
