// MoG-da's integrated alpha (see alpha_provider.h; design.md section 4).
#include "sample/alpha_provider.h"

namespace ddm {

void IntegratedAlpha::begin(int64_t batch, torch::Device device) {
  alpha_ = router_->prior(batch, device);
  last_g_ = torch::Tensor();
}

torch::Tensor IntegratedAlpha::alpha(const torch::Tensor& x, double t) {
  if (last_g_.defined()) alpha_ = integrate_alpha_step(alpha_, last_g_, t - last_t_);
  last_g_ = router_->dalpha(x, t);
  last_t_ = t;
  return alpha_;
}

}  // namespace ddm
