// Network output -> denoiser (see denoiser.h).
#include "models/denoiser.h"

#include "diffusion/parameterization.h"

namespace ddm {

torch::Tensor network_denoise(Network& net, const Schedule& sch, Prediction pred, const torch::Tensor& x, double t) {
  torch::NoGradGuard no_grad;
  const torch::Tensor tt =
      sch.network_time(torch::full({x.size(0)}, t, x.options().dtype(torch::kFloat64))).to(torch::kFloat32);
  const torch::Tensor out = net.forward(x, tt).to(x.scalar_type());
  const auto a = torch::scalar_tensor(sch.alpha(t), x.options()), s = torch::scalar_tensor(sch.sigma(t), x.options());
  return denoised_from_output(pred, out, x, a, s);
}

DenoiseFn make_denoiser(std::shared_ptr<Network> net, Schedule sch, Prediction pred) {
  return [net = std::move(net), sch, pred](const torch::Tensor& x, double t) {
    return network_denoise(*net, sch, pred, x, t);
  };
}

}  // namespace ddm
