// Helpers every source of router examples shares (see router_examples.h).
#include "router/router_examples.h"

#include "diffusion/parameterization.h"

namespace ddm {

torch::Tensor forward_noise(const Schedule& sch, const torch::Tensor& x0, const torch::Tensor& t,
                            const torch::Tensor& eps) {
  return as_column(sch.alpha(t), x0.dim()) * x0 + as_column(sch.sigma(t), x0.dim()) * eps;
}

torch::Tensor uniform_times(int64_t n, double lo, double hi, torch::Device device, at::Generator* gen) {
  const torch::Tensor u = gen ? torch::rand({n}, *gen, torch::kFloat32) : torch::rand({n}, torch::kFloat32);
  return (u * (hi - lo) + lo).to(device);
}

}  // namespace ddm
