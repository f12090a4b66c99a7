// Each party's own labelled examples, weighted by prior (see party_examples.h; design.md
// section 4c).
#include "router/party_examples.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/error.h"
#include "util/seed.h"

namespace ddm {

PartyExampleOptions party_options(const RouterConfig& rc, int64_t seed, std::string what, Dist dist,
                                  torch::Device device) {
  return {rc.batch_size, rc.holdout, static_cast<uint64_t>(seed), std::move(what), std::move(dist), device};
}

std::vector<int64_t> PartyExamples::party_batches(int64_t batch, const std::vector<double>& priors) {
  const size_t k = priors.size();
  std::vector<int64_t> b(k);
  std::vector<double> rest(k);
  int64_t given = 0;
  for (size_t i = 0; i < k; ++i) {
    const double share = priors[i] * static_cast<double>(batch);
    b[i] = static_cast<int64_t>(std::floor(share));
    rest[i] = share - static_cast<double>(b[i]);
    given += b[i];
  }
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t c) { return rest[a] > rest[c]; });
  for (size_t i = 0; given < batch && i < k; ++i, ++given) ++b[order[i]];
  for (auto& v : b) v = std::max<int64_t>(v, 1);
  return b;
}

PartyExamples::PartyExamples(std::vector<Party> parties, std::vector<double> priors, const Schedule& sch,
                             PartyExampleOptions opt)
    : sch_(sch), opt_(std::move(opt)) {
  require(!parties.empty(), "router ({}): this process holds no party", opt_.what);
  info_.k = static_cast<int>(priors.size());
  info_.priors = priors;
  info_.sample_shape = parties[0].data->sample_shape();
  info_.dataset = parties[0].data->name;
  const std::vector<int64_t> batches = party_batches(opt_.batch, priors);
  for (auto& p : parties) {
    require(p.cluster >= 0 && p.cluster < info_.k, "router ({}): party {} is outside 0..{}", opt_.what, p.cluster,
            info_.k - 1);
    Held h;
    const torch::Tensor all = p.indices.defined() ? p.indices.to(torch::kLong) : torch::arange(p.data->size());
    const int64_t n = all.size(0);
    const int64_t n_hold =
        std::max<int64_t>(1, static_cast<int64_t>(std::llround(opt_.holdout * static_cast<double>(n))));
    require(n > n_hold, "router ({}): party {} has {} examples, too few to hold {} out", opt_.what, p.cluster, n,
            n_hold);
    // Held-out examples: a fixed random share of the party's own, never trained on.
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(stream_seed(opt_.seed + 777, p.cluster));
    const torch::Tensor perm = torch::randperm(n, g, torch::kInt64);
    h.heldout = all.index_select(0, std::get<0>(perm.slice(0, 0, n_hold).sort()));
    h.train = all.index_select(0, std::get<0>(perm.slice(0, n_hold).sort()));
    h.batch = batches[static_cast<size_t>(p.cluster)];
    h.stream = std::make_unique<BatchStream>(h.train.size(0), h.batch, stream_seed(opt_.seed, p.cluster));
    info_.train += h.train.size(0);
    info_.heldout += h.heldout.size(0);
    h.party = std::move(p);
    held_.push_back(std::move(h));
  }
}

RouterBatch PartyExamples::draw(const std::vector<torch::Tensor>& idx, double lo, double hi, uint64_t seed) const {
  std::vector<torch::Tensor> xt, t, c, w;
  for (size_t i = 0; i < held_.size(); ++i) {
    const Held& h = held_[i];
    const int k = h.party.cluster;
    const int64_t n = idx[i].size(0);
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(stream_seed(seed, static_cast<uint64_t>(k)));
    const torch::Tensor x0 = h.party.data->batch(idx[i]).to(opt_.device);
    t.push_back(uniform_times(n, lo, hi, opt_.device, &gen));
    xt.push_back(forward_noise(sch_, x0, t.back(), torch::randn(x0.sizes(), gen, torch::kFloat32).to(opt_.device)));
    c.push_back(torch::full({n}, static_cast<int64_t>(k), torch::dtype(torch::kLong).device(opt_.device)));
    w.push_back(torch::full({n}, info_.priors[static_cast<size_t>(k)] / static_cast<double>(n),
                            torch::dtype(torch::kFloat32).device(opt_.device)));
  }
  RouterBatch b;
  b.xt = torch::cat(xt);
  b.t = torch::cat(t);
  b.c = torch::cat(c);
  b.weight = torch::cat(w);
  return b;
}

RouterBatch PartyExamples::batch(int64_t step, double lo, double hi, bool mass_times) {
  require(!mass_times, "router ({}): mass-sampled times need the exact posterior", opt_.what);
  std::vector<torch::Tensor> idx;
  for (auto& h : held_) idx.push_back(h.train.index_select(0, h.stream->next()));
  return draw(idx, lo, hi, stream_seed(opt_.seed, static_cast<uint64_t>(step)));
}

RouterBatch PartyExamples::heldout(int64_t n, double lo, double hi, uint64_t seed, bool) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> idx;
  for (const auto& h : held_) {
    const int k = h.party.cluster;
    const int64_t n_k = std::max<int64_t>(1, std::llround(static_cast<double>(n) * info_.priors[k]));
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(stream_seed(seed + 1, static_cast<uint64_t>(k)));
    idx.push_back(h.heldout.index_select(0, torch::randint(h.heldout.size(0), {n_k}, g, torch::kInt64)));
  }
  return draw(idx, lo, hi, seed);
}

Json PartyExamples::position() const {
  // Each party's stream position follows from the step (a fixed B_k), which resume passes back;
  // this records the batches for reading.
  Json j = Json::object();
  Json b = Json::array();
  for (const auto& h : held_) b.push_back(Json::array({h.party.cluster, h.batch}));
  j["party_batches"] = b;
  return j;
}

void PartyExamples::restore(const Json&, int64_t step, const std::string&) {
  for (auto& h : held_) h.stream->seek(step * h.batch);
}

std::string PartyExamples::describe() const {
  std::string parties;
  for (const auto& h : held_) parties += format("{}{}", parties.empty() ? "" : ",", h.party.cluster);
  return format("{}: {} training / {} held-out examples of part{} {} (of K = {}), no exact posterior", opt_.what,
                info_.train, info_.heldout, held_.size() == 1 ? "y" : "ies", parties, info_.k);
}

std::vector<Party> shard_parties(std::shared_ptr<const Dataset> data, const ShardManifest& manifest) {
  std::vector<Party> parties;
  for (int k = 0; k < manifest.k; ++k) parties.push_back({k, data, manifest.indices(k)});
  return parties;
}

}  // namespace ddm
