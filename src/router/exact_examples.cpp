// The pooled data set with exact targets (see exact_examples.h; design.md section 4c).
#include "router/exact_examples.h"

#include <ATen/CPUGeneratorImpl.h>

#include "util/error.h"

namespace ddm {

ExactExamples::ExactExamples(const Dataset& data, const ShardManifest& manifest, const Schedule& sch,
                             ExactExampleOptions opt)
    : data_(data),
      sch_(sch),
      opt_(std::move(opt)),
      clusters_(manifest.assignment()),
      exact_(make_exact_posterior(data, manifest, sch, opt_.device)) {
  info_.k = manifest.k;
  info_.priors = manifest.priors();
  info_.sample_shape = data.sample_shape();
  info_.dataset = data.name;
  // Held-out examples: a fixed random share, never trained on.
  at::Generator split_gen = at::make_generator<at::CPUGeneratorImpl>(opt_.seed + 777);
  const torch::Tensor perm = torch::randperm(data_.size(), split_gen, torch::kInt64);
  const int64_t n_hold =
      std::max<int64_t>(1, static_cast<int64_t>(std::llround(opt_.holdout * static_cast<double>(data_.size()))));
  require(data_.size() > n_hold, "router: {} examples are too few to hold {} out", data_.size(), n_hold);
  heldout_ = std::get<0>(perm.slice(0, 0, n_hold).sort());
  train_idx_ = std::get<0>(perm.slice(0, n_hold).sort());
  info_.train = train_idx_.size(0);
  info_.heldout = heldout_.size(0);
  stream_ = std::make_unique<BatchStream>(train_idx_.size(0), opt_.batch, opt_.seed);
  share_ = batch_share(opt_.batch, opt_.dist, "router.batch_size");
}

const DerivativeProfile& ExactExamples::make_profile(int points, double t_min, double t_max) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(opt_.seed + 99);
  profile_ = derivative_profile(exact_, data_, train_idx_, 32, points, t_min, t_max, gen, opt_.device);
  return profile_;
}

RouterBatch ExactExamples::batch(int64_t, double lo, double hi, bool mass_times) {
  // The global batch's examples, t and noise from the generator every rank shares; this rank's rows.
  const int64_t global = share_.global;
  const torch::Tensor idx = share_.take(train_idx_.index_select(0, stream_->next()));
  const torch::Tensor x0 = data_.batch(idx).to(opt_.device);
  RouterBatch b;
  b.c = clusters_.index_select(0, idx).to(opt_.device);
  torch::Tensor t = uniform_times(global, lo, hi, opt_.device);
  if (mass_times) {  // the second half of the batch where the posterior moves
    const int64_t half = global / 2;
    t = torch::cat({t.slice(0, 0, global - half), profile_.sample_times(half, lo, hi).to(t.options())});
  }
  b.t = share_.take(t);
  std::vector<int64_t> shape = x0.sizes().vec();
  shape[0] = global;
  b.xt = forward_noise(sch_, x0, b.t, share_.take(torch::randn(shape, x0.options())));
  b.weight = torch::full({x0.size(0)}, 1.0 / static_cast<double>(x0.size(0)),
                         torch::dtype(torch::kFloat32).device(opt_.device));
  if (opt_.targets) {
    torch::NoGradGuard no_grad;
    b.exact = exact_.compute(b.xt, b.t, opt_.with_dalpha);
  }
  return b;
}

RouterBatch ExactExamples::heldout(int64_t n, double lo, double hi, uint64_t seed, bool with_dalpha) {
  torch::NoGradGuard no_grad;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor pick = heldout_.index_select(0, torch::randint(heldout_.size(0), {n}, gen, torch::kInt64));
  const torch::Tensor x0 = data_.batch(pick).to(opt_.device);
  RouterBatch b;
  b.c = clusters_.index_select(0, pick).to(opt_.device);
  b.t = uniform_times(n, lo, hi, opt_.device, &gen);
  b.xt = forward_noise(sch_, x0, b.t, torch::randn(x0.sizes(), gen, torch::kFloat32).to(opt_.device));
  b.weight = torch::full({n}, 1.0 / static_cast<double>(n), torch::dtype(torch::kFloat32).device(opt_.device));
  b.exact = exact_.compute(b.xt, b.t, with_dalpha);
  return b;
}

void ExactExamples::restore(const Json& position, int64_t, const std::string& source) {
  stream_->restore(position, source);
}

std::string ExactExamples::describe() const {
  return format("{} training / {} held-out examples of the pooled data set, exact targets over {} points", info_.train,
                info_.heldout, exact_.size());
}

}  // namespace ddm
