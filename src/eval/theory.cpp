// Convergence with exact experts (see theory.h).
#include "eval/theory.h"

#include <ATen/CPUGeneratorImpl.h>

#include "eval/assignment.h"
#include "router/exact_posterior.h"
#include "sample/sampler.h"
#include "util/error.h"
#include "util/log.h"

namespace ddm {
namespace {

std::vector<double> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

double w2(const torch::Tensor& a, const torch::Tensor& b) {
  return w2_empirical(to_vector(a), to_vector(b), static_cast<int>(a.size(0)), static_cast<int>(a[0].numel()));
}

}  // namespace

std::string TheoryCurve::label() const { return format("{} {}", to_string(rule), to_string(solver)); }

Json TheoryResult::to_json() const {
  Json j = Json::object();
  j["reference_steps"] = reference_steps;
  j["reference_solver"] = to_string(reference_solver);
  j["samples"] = samples;
  j["floor_w2"] = floor_w2;
  j["floor_w2_sd"] = floor_w2_sd;
  Json cs = Json::array();
  for (const auto& c : curves) {
    Json cj = Json::object();
    cj["rule"] = to_string(c.rule);
    cj["solver"] = to_string(c.solver);
    Json rows = Json::array();
    for (size_t i = 0; i < c.steps.size(); ++i) {
      Json r = Json::object();
      r["steps"] = c.steps[i];
      r["path_rms"] = c.path_rms[i];
      r["w2"] = c.w2[i];
      rows.push_back(r);
    }
    cj["rows"] = rows;
    for (const auto& [name, f] : {std::pair{"path_fit", c.path_fit}, std::pair{"w2_fit", c.w2_fit}}) {
      cj[name] = Json::object();
      cj[name]["c"] = f.c;
      cj[name]["p"] = f.p;
      cj[name]["r2"] = f.r2;
    }
    cs.push_back(cj);
  }
  j["curves"] = cs;
  return j;
}

TheoryResult run_theory(const torch::Tensor& points, const torch::Tensor& labels, int k, const Schedule& schedule,
                        double t_min, Spacing spacing, const TheoryOptions& opt) {
  require(points.dim() == 2 && points.size(1) <= 16, "theory: needs low-dimensional points [N, D] (D <= 16), got {}",
          points.sizes());
  require(opt.samples >= 2 && opt.samples <= 5000,
          "theory: samples must lie in 2..5000 (W2 is an O(n^3) assignment), got {}", opt.samples);
  SamplingModel m;
  m.schedule = schedule;
  auto exact = std::make_shared<ExactPosterior>(points.to(torch::kFloat64), labels, k, schedule);
  m.exact = m.exact_experts = exact;
  const torch::Tensor counts = torch::bincount(labels, {}, k).to(torch::kFloat64);
  for (int j = 0; j < k; ++j) m.priors.push_back(counts[j].item<double>() / static_cast<double>(labels.size(0)));
  m.sample_shape = {points.size(1)};
  m.t_min = t_min;

  SampleConfig sc;
  sc.alpha = AlphaSource::kOracle;
  sc.spacing = spacing;
  sc.num = opt.samples;
  sc.batch_size = static_cast<int>(opt.samples);
  sc.seed = static_cast<int64_t>(opt.seed);
  sc.clip_x0 = ClipMode::kOff;
  auto run = [&](RoutingRule rule, SolverKind solver, int steps, uint64_t seed) {
    sc.rule = rule;
    sc.solver = solver;
    sc.steps = steps;
    sc.seed = static_cast<int64_t>(seed);
    return generate_samples(m, sc, torch::kCPU, false).samples.to(torch::kFloat64);
  };

  TheoryResult res;
  res.reference_steps = opt.reference_steps;
  res.reference_solver = opt.reference_solver;
  res.samples = opt.samples;
  // The exact PF-ODE, approximated by many mixture steps of a second-order solver.
  const torch::Tensor ref = run(RoutingRule::kMixture, opt.reference_solver, opt.reference_steps, opt.seed);
  // The finite-sample floor: W2 between the reference and independent draws of the same size from
  // the data set (the distribution the exact PF-ODE carries the noise to), averaged over draws.
  {
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(opt.seed + 7);
    const torch::Tensor data = points.to(torch::kFloat64);
    std::vector<double> ws;
    for (int d = 0; d < kFloorDraws; ++d)
      ws.push_back(w2(ref, data.index_select(0, torch::randint(data.size(0), {opt.samples}, gen, torch::kInt64))));
    const torch::Tensor w = torch::tensor(ws, torch::kFloat64);
    res.floor_w2 = w.mean().item<double>();
    res.floor_w2_sd = w.std().item<double>();
  }
  log::info(
      "theory: reference {} mixture {} steps, {} samples; W2 floor (to {} independent draws of the data) {:.4g} +- "
      "{:.2g}",
      opt.reference_steps, to_string(opt.reference_solver), opt.samples, kFloorDraws, res.floor_w2, res.floor_w2_sd);
  for (SolverKind solver : opt.solvers) {
    for (RoutingRule rule : opt.rules) {
      TheoryCurve c;
      c.rule = rule;
      c.solver = solver;
      std::vector<double> ns;
      for (int n : opt.steps) {
        require(n >= 1 && n < opt.reference_steps, "theory: step count {} must lie in 1..{} (below the reference)", n,
                opt.reference_steps - 1);
        const torch::Tensor x = run(rule, solver, n, opt.seed);
        c.steps.push_back(n);
        ns.push_back(n);
        c.path_rms.push_back(std::sqrt((x - ref).pow(2).sum(1).mean().item<double>()));
        c.w2.push_back(w2(x, ref));
        log::info("theory: {:<14} N = {:>4}  path RMS {:.4g}  W2 {:.4g}", c.label(), n, c.path_rms.back(), c.w2.back());
      }
      c.path_fit = fit_power_law(ns, c.path_rms);
      c.w2_fit = fit_power_law(ns, c.w2);
      res.curves.push_back(std::move(c));
    }
  }
  return res;
}

}  // namespace ddm
