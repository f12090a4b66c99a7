// A trained router, as sampling uses it (design.md section 4): MoG-a gives alpha_hat(x, t)
// directly; MoG-da gives d alpha/dt from the network of the interval that contains t, to be
// integrated from the prior pi. The metadata carries K, the priors, the sample shape and the
// schedule so that a router and experts that do not belong together are refused.
#pragma once
#include <torch/types.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diffusion/schedule.h"
#include "router/router_net.h"
#include "util/json.h"

namespace ddm {

struct RouterMeta {
  RouterKind kind = RouterKind::kMogA;
  std::string targets = "exact";  // router.targets it was trained with (design.md section 4c)
  int k = 0;
  std::string dataset;
  std::vector<int64_t> sample_shape;
  std::vector<double> priors;
  Schedule schedule;
  double t_min = 1e-3, t1 = 0.2, t2 = 0.6;
  std::string bounds = "config";  // how t1, t2 were set: "config" or the auto rule
  Json architecture;
  int64_t step = 0;

  Json to_json() const;
  static RouterMeta from_json(const Json& j, const std::string& source);
  // Which of the three MoG-da intervals [t_min, t1), [t1, t2), [t2, 1] holds t.
  int interval(double t) const { return t < t1 ? 0 : t < t2 ? 1 : 2; }
  bool has_derivative() const { return has_derivative_head(kind); }  // MoG-da's logit-velocity head
  // Networks the router has (MoG-da: one per interval), and which one answers at t.
  int networks() const { return kind == RouterKind::kMogDa ? 3 : 1; }
  int network_at(double t) const { return kind == RouterKind::kMogDa ? interval(t) : 0; }
};

class Router {
 public:
  RouterMeta meta;
  std::string path;
  // MoG-a and Sobolev: one network. MoG-da: the three interval networks.
  std::vector<std::shared_ptr<RouterNet>> nets;

  torch::Tensor alpha(const torch::Tensor& x, double t) const;     // softmax of the alpha head
  RouterOut evaluate(const torch::Tensor& x, double t) const;      // all heads of t's network, float32
  torch::Tensor prior(int64_t batch, torch::Device device) const;  // [B, K] rows of pi
};

// The EMA weights when the checkpoint holds them (router.ema > 0), else the trained weights.
Router load_router(const std::string& path, torch::Device device);

}  // namespace ddm
