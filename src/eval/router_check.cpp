// Alpha sources against the exact alpha along exact PF-ODE paths (see router_check.h).
#include "eval/router_check.h"

#include <ATen/CPUGeneratorImpl.h>

#include "diffusion/solvers.h"
#include "router/alpha_dynamics.h"
#include "util/error.h"
#include "util/format.h"

namespace ddm {
namespace {

class PriorAlpha : public AlphaProvider {
 public:
  explicit PriorAlpha(std::vector<double> priors) : priors_(std::move(priors)) {}
  torch::Tensor alpha(const torch::Tensor& x, double, const StepPoint&) override {
    return torch::tensor(priors_, torch::kFloat32).to(x.device()).unsqueeze(0).expand({x.size(0), -1});
  }

 private:
  std::vector<double> priors_;
};

// One N: every source along the same exact paths.
std::vector<CheckRow> check_steps(const ExactPosterior& exact, const std::vector<CheckSource>& sources,
                                  const RouterCheckOptions& opts, int steps, torch::Device device) {
  const Schedule& sch = exact.schedule();
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(opts.seed);
  std::vector<int64_t> shape{opts.paths};
  for (int64_t d : exact.sample_shape()) shape.push_back(d);
  torch::Tensor x = torch::randn(shape, gen, torch::kFloat32).to(device);
  std::vector<CheckRow> rows;
  for (const auto& s : sources) {
    s.provider->begin(opts.paths, device);
    rows.push_back({s.name, s.router, s.router_step, steps});
  }
  // The N times where a sampler of N steps routes (the last step lands on t = 0, where alpha is
  // one-hot and nothing is routed).
  const auto grid = evaluation_times(sch, steps, opts.spacing, opts.t_min);
  for (size_t n = 0; n < grid.size(); ++n) {
    const PosteriorOut ex = exact.compute(x, torch::full({opts.paths}, grid[n], torch::kFloat64).to(device));
    const torch::Tensor a = ex.alpha.to(torch::kFloat64);
    const StepPoint step{static_cast<int>(n), grid[n], n + 1 < grid.size() ? grid[n + 1] : 0.0,
                         true};  // a DDIM step's start
    for (size_t i = 0; i < sources.size(); ++i) {
      const torch::Tensor p = sources[i].provider->alpha(x, grid[n], step).to(torch::kFloat64);
      const torch::Tensor tv = total_variation(p, a);
      rows[i].t.push_back(grid[n]);
      rows[i].tv.push_back(tv.mean().item<double>());
      if (n + 1 == grid.size()) {
        rows[i].tv_final = rows[i].tv.back();
        rows[i].argmax_agree = (p.argmax(1) == a.argmax(1)).to(torch::kFloat64).mean().item<double>();
      }
    }
    if (n + 1 < grid.size()) x = ddim_step(sch, x, ex.denoised.to(torch::kFloat32), grid[n], grid[n + 1]);
  }
  for (auto& r : rows) {
    double sum = 0;
    for (double v : r.tv) sum += v;
    r.tv_mean = sum / static_cast<double>(r.tv.size());
  }
  return rows;
}

}  // namespace

std::shared_ptr<AlphaProvider> prior_alpha(std::vector<double> priors) {
  return std::make_shared<PriorAlpha>(std::move(priors));
}

Json CheckRow::to_json() const {
  Json j = Json::object();
  j["source"] = source;
  j["steps"] = steps;
  j["tv_final"] = tv_final;
  j["tv_mean"] = tv_mean;
  j["argmax_agree"] = argmax_agree;
  j["router"] = router;
  j["router_step"] = router_step;
  j["t"] = Json(t);
  j["tv"] = Json(tv);
  return j;
}

std::vector<CheckRow> router_check(const ExactPosterior& exact, const std::vector<CheckSource>& sources,
                                   const RouterCheckOptions& opts, torch::Device device,
                                   const std::function<void(const std::string&)>& progress) {
  require(opts.paths >= 1, "router-check: --paths must be >= 1");
  require(!sources.empty(), "router-check: no alpha sources");
  torch::NoGradGuard no_grad;
  std::vector<CheckRow> rows;
  for (int n : opts.steps) {
    require(n >= 1, "router-check: step counts must be >= 1, got {}", n);
    for (auto& r : check_steps(exact, sources, opts, n, device)) rows.push_back(std::move(r));
    if (progress) progress(format("N = {} done", n));
  }
  return rows;
}

Json router_check_json(const std::vector<CheckRow>& rows) {
  Json a = Json::array();
  for (const auto& r : rows) a.push_back(r.to_json());
  Json j = Json::object();
  j["rows"] = a;
  return j;
}

}  // namespace ddm
