// Network output -> denoiser (see denoiser.h).
#include "models/denoiser.h"

#include "diffusion/parameterization.h"

namespace ddm {

torch::Tensor network_denoise(Network& net, const Schedule& sch, Prediction pred, const torch::Tensor& x, double t, bool clip) {
  torch::NoGradGuard no_grad;
  const torch::Tensor tt = torch::full({x.size(0)}, t, x.options().dtype(torch::kFloat32));
  const torch::Tensor out = net.forward(x, tt).to(x.scalar_type());
  const auto a = torch::scalar_tensor(sch.alpha(t), x.options()), s = torch::scalar_tensor(sch.sigma(t), x.options());
  const torch::Tensor d = denoised_from_output(pred, out, x, a, s);
  return clip ? d.clamp(-1.0, 1.0) : d;
}

DenoiseFn make_denoiser(std::shared_ptr<Network> net, Schedule sch, Prediction pred, bool clip) {
  return [net = std::move(net), sch, pred, clip](const torch::Tensor& x, double t) {
    return network_denoise(*net, sch, pred, x, t, clip);
  };
}

}  // namespace ddm
