// Routing rules and grouped dispatch (see routed_ensemble.h; design.md section 5).
#include "sample/routed_ensemble.h"

#include <ATen/CPUGeneratorImpl.h>

#include "sample/parallel_tasks.h"
#include "util/error.h"
#include "util/seed.h"

namespace ddm {

RoutedEnsemble::RoutedEnsemble(std::vector<DenoiseFn> experts, std::shared_ptr<AlphaProvider> alpha, RoutingRule rule,
                               int topk, std::vector<double> priors, uint64_t seed)
    : experts_(std::move(experts)),
      alpha_(std::move(alpha)),
      rule_(rule),
      topk_(topk),
      priors_(torch::tensor(priors, torch::kFloat64)),
      seed_(seed),
      gen_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  const int k = static_cast<int>(experts_.size());
  require(k >= 1, "routed ensemble: no experts");
  require(static_cast<int>(priors.size()) == k, "routed ensemble: {} priors for {} experts", priors.size(), k);
  require(rule == RoutingRule::kFixed || alpha_, "routing rule {} needs an alpha source", to_string(rule));
  require(rule != RoutingRule::kTopK || (topk >= 1 && topk <= k), "sample.topk must lie in 1..{} (K), got {}", k, topk);
  expert_evaluations_.assign(static_cast<size_t>(k), 0);
}

void RoutedEnsemble::begin(int64_t batch, torch::Device device, int64_t batch_index) {
  gen_ = at::make_generator<at::CPUGeneratorImpl>(stream_seed(seed_, static_cast<uint64_t>(batch_index)));
  if (alpha_) alpha_->begin(batch, device);
  step_ = -1;
  previous_ = choice_ = torch::Tensor();
  if (rule_ == RoutingRule::kFixed)
    fixed_ = torch::multinomial(priors_.unsqueeze(0).expand({batch, -1}), 1, true, gen_).squeeze(1);
}

std::vector<RoutedEnsemble::Group> RoutedEnsemble::groups(const torch::Tensor& member,
                                                          const torch::Device& device) const {
  // member: [B, K] bool on the CPU, true where expert k serves row b.
  std::vector<Group> out;
  for (size_t k = 0; k < experts_.size(); ++k) {
    const torch::Tensor rows = torch::nonzero(member.select(1, static_cast<int64_t>(k))).flatten();
    if (rows.numel() > 0) out.push_back({k, rows.to(device), {}});
  }
  return out;
}

void RoutedEnsemble::run(std::vector<Group>& groups, const torch::Tensor& x, double t,
                         const std::function<torch::Tensor(const Group&, torch::Tensor)>& finish) {
  std::vector<int64_t> cost;
  for (const Group& g : groups) cost.push_back(g.rows.numel());
  // Concurrent groups on a CPU; on a GPU the launches queue on one stream anyway.
  const auto task = [&](size_t i) {
    groups[i].d = finish(groups[i], experts_[groups[i].k](x.index_select(0, groups[i].rows), t));
  };
  if (x.device().is_cpu()) {
    run_tasks(cost, task);
  } else {
    for (size_t i = 0; i < groups.size(); ++i) task(i);
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    evaluations_ += cost[i];
    expert_evaluations_[groups[i].k] += cost[i];
  }
}

torch::Tensor RoutedEnsemble::dispatch(const torch::Tensor& x, double t, const torch::Tensor& choice) {
  const torch::Tensor c = choice.to(torch::kCPU);
  std::vector<Group> gs =
      groups(c.unsqueeze(1) == torch::arange(static_cast<int64_t>(experts_.size()), c.options()), x.device());
  run(gs, x, t, [](const Group&, torch::Tensor d) { return d; });
  torch::Tensor out = torch::empty_like(x, gs.front().d.options());
  for (const Group& g : gs) out.index_copy_(0, g.rows, g.d);
  return out;
}

torch::Tensor RoutedEnsemble::weighted(const torch::Tensor& x, double t, const torch::Tensor& w) {
  // Each expert runs only on the rows that give it weight; rows and weights stay on x's device.
  std::vector<Group> gs = groups((w > 0).to(torch::kCPU), x.device());
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  run(gs, x, t, [&](const Group& g, torch::Tensor d) {
    std::vector<int64_t> s = shape;
    s[0] = g.rows.numel();
    return w.select(1, static_cast<int64_t>(g.k)).index_select(0, g.rows).to(d.scalar_type()).reshape(s) * d;
  });
  torch::Tensor out = torch::zeros_like(x);
  for (const Group& g : gs) out.index_add_(0, g.rows, g.d);
  return out;
}

torch::Tensor RoutedEnsemble::topk_weights(const torch::Tensor& alpha) const {
  const auto [vals, idx] = alpha.topk(topk_, 1);
  return torch::zeros_like(alpha).scatter_(1, idx, vals / vals.sum(1, true).clamp_min(1e-12));
}

void RoutedEnsemble::start_step(const StepPoint& step, const torch::Tensor& alpha, int64_t batch) {
  require(step.n == step_ + 1, "routed ensemble: step {} started after step {} (one start point per step, in order)",
          step.n, step_);
  step_ = step.n;
  switch (rule_) {
    case RoutingRule::kFixed:
      require(fixed_.defined() && fixed_.size(0) == batch, "routed ensemble: begin() not called for this batch");
      choice_ = fixed_;
      break;
    case RoutingRule::kSwitch:
      choice_ = torch::multinomial(alpha.to(torch::kCPU, torch::kFloat64).clamp_min(0), 1, true, gen_).squeeze(1);
      break;
    case RoutingRule::kTopK:
      choice_ = std::get<1>(alpha.topk(topk_, 1)).select(1, 0);
      break;
    case RoutingRule::kTop1:
    case RoutingRule::kMixture:
      choice_ = alpha.argmax(1);
      break;
  }
  record(step, alpha, choice_);
}

void RoutedEnsemble::record(const StepPoint& step, const torch::Tensor& alpha, const torch::Tensor& choice) {
  if (stats_.size() <= static_cast<size_t>(step.n)) stats_.resize(static_cast<size_t>(step.n) + 1);
  StepRouting& s = stats_[static_cast<size_t>(step.n)];
  s.step = step.n;
  s.t = step.t_n;
  s.has_alpha = alpha.defined();
  s.counts.resize(experts_.size(), 0);
  if (alpha.defined()) {
    const torch::Tensor a = alpha.to(torch::kFloat64);
    s.entropy_sum += -(a * torch::log(a.clamp_min(1e-300))).sum().item<double>();
  }
  const torch::Tensor c = choice.to(torch::kCPU);
  if (previous_.defined()) s.changes += (c != previous_).sum().item<int64_t>();
  s.samples += c.size(0);
  const torch::Tensor counts = torch::bincount(c, {}, static_cast<int64_t>(experts_.size()));
  for (size_t k = 0; k < experts_.size(); ++k) s.counts[k] += counts[static_cast<int64_t>(k)].item<int64_t>();
  previous_ = c;
}

torch::Tensor RoutedEnsemble::denoise(const torch::Tensor& x, double t, const StepPoint& step) {
  torch::Tensor alpha;
  if (alpha_) alpha = alpha_->alpha(x, t, step);
  if (step.start) start_step(step, alpha, x.size(0));
  require(step.n == step_, "routed ensemble: an evaluation of step {} before its start point", step.n);
  switch (rule_) {
    case RoutingRule::kFixed:
    case RoutingRule::kSwitch:
      return dispatch(x, t, choice_);  // the step's draw, at every evaluation
    case RoutingRule::kTop1:
      return dispatch(x, t, alpha.argmax(1));
    case RoutingRule::kTopK:
      return weighted(x, t, topk_weights(alpha));
    case RoutingRule::kMixture:
      return weighted(x, t, alpha);
  }
  fail("routed ensemble: unknown rule");
}

StepDenoiseFn RoutedEnsemble::as_denoiser() {
  return [this](const torch::Tensor& x, double t, const StepPoint& step) { return denoise(x, t, step); };
}

std::optional<double> StepRouting::mean_entropy() const {
  if (!has_alpha) return std::nullopt;
  return entropy_sum / static_cast<double>(std::max<int64_t>(1, samples));
}

std::optional<double> StepRouting::switch_rate() const {
  if (step == 0) return std::nullopt;
  return static_cast<double>(changes) / static_cast<double>(std::max<int64_t>(1, samples));
}

Json routing_json(const std::vector<StepRouting>& stats) {
  Json rows = Json::array();
  for (const StepRouting& s : stats) {
    Json r = Json::object();
    r["step"] = s.step;
    r["t"] = s.t;
    r["mean_entropy"] = s.mean_entropy() ? Json(*s.mean_entropy()) : Json();
    r["switch_rate"] = s.switch_rate() ? Json(*s.switch_rate()) : Json();
    r["expert_counts"] = s.counts;
    rows.push_back(r);
  }
  return rows;
}

}  // namespace ddm
