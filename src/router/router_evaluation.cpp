// A router's held-out evaluation (see router_evaluation.h; design.md section 4).
#include "router/router_evaluation.h"

#include <ATen/CPUGeneratorImpl.h>

#include "diffusion/parameterization.h"
#include "diffusion/solvers.h"
#include "dist/data_parallel.h"
#include "router/alpha_dynamics.h"
#include "router/alpha_integrator.h"
#include "router/sobolev.h"

namespace ddm {

std::vector<IntervalEval> intervals_of(const RouterMeta& m, double t_max) {
  return {{"near data", m.t_min, m.t1}, {"transition", m.t1, m.t2}, {"near noise", m.t2, t_max}};
}

Json RouterEvaluation::to_json() const {
  Json j = Json::object();
  Json rows = Json::array();
  for (const auto& e : intervals) {
    Json r = Json::object();
    r["interval"] = e.name;
    r["t_lo"] = e.lo;
    r["t_hi"] = e.hi;
    r["cross_entropy"] = e.cross_entropy;
    r["alpha_mae"] = e.alpha_mae;
    r["dalpha_mae"] = e.dalpha_mae;
    if (!std::isnan(e.dalpha_mean)) r["dalpha_mean"] = e.dalpha_mean;
    if (!std::isnan(e.dalpha_cosine)) r["dalpha_cosine"] = e.dalpha_cosine;
    rows.push_back(r);
  }
  j["heldout"] = rows;
  j["integrated_tv"] = integrated_tv;
  j["integrated_steps"] = integrated_steps;
  if (!std::isnan(difference_error)) j["difference_error"] = difference_error;
  return j;
}

namespace {

// The sum over ranks of one number per rank.
double gather_sum(const Dist& dist, double v) {
  double sum = 0;
  for (const auto& r : gather_values(dist, {v})) sum += r[0];
  return sum;
}

// The predicted d alpha/dt against the exact one: mean absolute error, the exact one's mean size,
// and the cosine between the two.
void derivative_errors(const torch::Tensor& predicted, const torch::Tensor& exact, IntervalEval& e) {
  const torch::Tensor g = predicted.to(torch::kFloat64), x = exact.to(torch::kFloat64);
  e.dalpha_mae = (g - x).abs().mean().item<double>();
  e.dalpha_mean = x.abs().mean().item<double>();
  e.dalpha_cosine = ((g * x).sum() / (g.norm() * x.norm() + 1e-300)).item<double>();
}

// Cross-entropy (the weighted sum over this rank's rows, summed over ranks when the examples are
// split over them) and, with exact targets, the alpha and derivative errors of one interval.
IntervalEval evaluate_interval(const Router& router, RouterExamples& examples, IntervalEval e, int samples,
                               uint64_t seed, const Dist& dist, double sobolev_step, double* difference_err) {
  const bool sobolev = router.meta.kind == RouterKind::kSobolev;
  const bool exact = examples.posterior() != nullptr;
  const RouterBatch b = examples.heldout(samples, e.lo, e.hi, seed, router.meta.kind != RouterKind::kMogA);
  const auto& net = router.nets[router.meta.network_at((e.lo + e.hi) / 2)];
  const RouterOut out = net->forward(b.xt, b.t);
  const torch::Tensor logp = torch::log_softmax(out.logits.to(torch::kFloat64), 1);
  const double ce = -(logp.gather(1, b.c.unsqueeze(1)).squeeze(1) * b.weight.to(torch::kFloat64)).sum().item<double>();
  e.cross_entropy = examples.reduce() == GradientReduce::kSum ? gather_sum(dist, ce) : ce;
  e.alpha_mae = std::nan("");
  if (!exact) return e;
  const PosteriorOut& ex = b.exact;
  e.alpha_mae = (logp.exp() - ex.alpha.to(torch::kFloat64)).abs().mean().item<double>();
  if (router.meta.has_derivative() || sobolev)
    e.dalpha_mean = ex.dalpha.to(torch::kFloat64).abs().mean().item<double>();
  if (router.meta.has_derivative())
    derivative_errors(out.derivative(ex.alpha.to(out.logits.scalar_type())), ex.dalpha, e);
  if (sobolev) {
    const Schedule& sch = router.meta.schedule;
    const torch::Tensor v = velocity_from_denoised(sch, b.xt, ex.denoised.to(b.xt.scalar_type()), b.t);
    derivative_errors(network_difference(*net, sch, b.xt, b.t, v, sobolev_step).derivative, ex.dalpha, e);
    if (std::isnan(*difference_err))  // on the near-data interval's first 64 points
      *difference_err =
          difference_error(*net, sch, b.xt.slice(0, 0, 64), b.t.slice(0, 0, 64), v.slice(0, 0, 64), sobolev_step);
  }
  return e;
}

// MoG-da: alpha integrated from the prior along exact PF-ODE paths (DDIM with the exact D), as the
// sampler does, against the exact alpha where the paths end (total variation).
double integrated_tv(const Router& router, const ExactPosterior& exact, int64_t paths, int steps, uint64_t seed,
                     torch::Device device) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const Schedule& sch = router.meta.schedule;
  std::vector<int64_t> shape{paths};
  for (int64_t s : router.meta.sample_shape) shape.push_back(s);
  torch::Tensor x = torch::randn(shape, gen, torch::kFloat32).to(device);
  AlphaIntegrator integ(IntegrationMode::kLogit);
  integ.begin(router.prior(paths, device));
  const auto grid = evaluation_times(sch, steps, Spacing::kUniform, router.meta.t_min);
  torch::Tensor a;
  for (size_t n = 0; n < grid.size(); ++n) {
    a = integ.at(router.evaluate(x, grid[n]), grid[n]);
    if (n + 1 < grid.size()) x = ddim_step(sch, x, exact.denoise(x, grid[n]).to(torch::kFloat32), grid[n], grid[n + 1]);
  }
  return total_variation(a.to(torch::kFloat64), exact.alpha(x, grid.back()).to(torch::kFloat64)).mean().item<double>();
}

}  // namespace

RouterEvaluation evaluate_router(const Router& router, RouterExamples& examples, int samples, uint64_t seed,
                                 const Dist& dist, torch::Device device, double sobolev_step) {
  torch::NoGradGuard no_grad;
  RouterEvaluation res;
  uint64_t interval_seed = seed;
  for (const IntervalEval& e : intervals_of(router.meta, router.meta.schedule.t_max()))
    res.intervals.push_back(
        evaluate_interval(router, examples, e, samples, interval_seed++, dist, sobolev_step, &res.difference_error));
  if (router.meta.has_derivative() && examples.posterior()) {
    res.integrated_steps = 25;
    res.integrated_tv = integrated_tv(router, *examples.posterior(), std::min<int64_t>(samples, 128),
                                      res.integrated_steps, seed + 17, device);
  }
  return res;
}

}  // namespace ddm
