// Alpha sources for sampling (see alpha_provider.h; design.md section 4).
#include "sample/alpha_provider.h"

#include "run/alpha_sources.h"
#include "util/error.h"

namespace ddm {

IntegratedAlpha::IntegratedAlpha(DerivativeSource source, std::vector<double> priors, IntegrationMode mode, double rate)
    : source_(std::move(source)), priors_(std::move(priors)), integrator_(mode, rate) {}

void IntegratedAlpha::begin(int64_t batch, torch::Device device) {
  const torch::Tensor pi = torch::tensor(priors_, torch::kFloat32).to(device);
  integrator_.begin(pi.unsqueeze(0).expand({batch, -1}).contiguous());
}

DerivativeSource exact_derivative(std::shared_ptr<const ExactPosterior> exact) {
  return [exact](const torch::Tensor& x, double t) {
    const PosteriorOut ex = exact->compute(x, torch::full({x.size(0)}, t, torch::kFloat64).to(x.device()), true);
    RouterOut out;
    out.logits = torch::log(ex.alpha.to(torch::kFloat64).clamp_min(1e-300)).to(torch::kFloat32);
    out.velocity = ex.velocity.to(torch::kFloat32);
    return out;
  };
}

std::shared_ptr<AlphaProvider> make_alpha_provider(AlphaSource source, std::shared_ptr<const Router> router,
                                                   std::shared_ptr<const ExactPosterior> exact, double rate) {
  if (source == AlphaSource::kOracle) {
    require(exact != nullptr, "sample.alpha=oracle needs the exact posterior");
    return std::make_shared<OracleAlpha>(std::move(exact));
  }
  require(router != nullptr, "sample.alpha={} needs a router", to_string(source));
  const AlphaSourceSpec& spec = alpha_source_spec(source);
  if (!spec.integrated) return std::make_shared<RouterAlpha>(std::move(router));
  require(router->meta.has_derivative(), "{}: sample.alpha={} needs a mog-da router, this one is {}", router->path,
          to_string(source), to_string(router->meta.kind));
  auto priors = router->meta.priors;
  const IntegrationMode mode =
      source == AlphaSource::kIntegratedCorrected ? IntegrationMode::kCorrected : IntegrationMode::kLogit;
  return std::make_shared<IntegratedAlpha>(
      [router](const torch::Tensor& x, double t) { return router->evaluate(x, t); }, std::move(priors), mode, rate);
}

}  // namespace ddm
