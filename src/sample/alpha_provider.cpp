// MoG-da's integrated alpha (see alpha_provider.h; design.md section 4).
#include "sample/alpha_provider.h"

namespace ddm {

void IntegratedAlpha::begin(int64_t batch, torch::Device device) {
  alpha_ = router_->prior(batch, device);
  last_g_ = torch::Tensor();
}

torch::Tensor IntegratedAlpha::alpha(const torch::Tensor& x, double t) {
  if (last_g_.defined()) {
    alpha_ = (alpha_ + (t - last_t_) * last_g_).clamp_min(0);
    alpha_ = alpha_ / alpha_.sum(1, true).clamp_min(1e-12);
  }
  last_g_ = router_->dalpha(x, t);
  last_t_ = t;
  return alpha_;
}

}  // namespace ddm
