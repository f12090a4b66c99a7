// router.targets=labels or samples: each party's own labelled examples and nothing pooled
// (design.md section 4c). A party is one cluster k: its shard of the data, the data set one
// federated rank reads, or the samples expert k generated. Each step, party k contributes B_k
// examples (B split over the parties by prior, at least one each) with loss weight pi_k / B_k,
// so the loss is sum_k pi_k E_k[-log alpha_hat_k], whose minimiser is the posterior of the
// mixture sum_k pi_k p_k. Party k's indices, times and noise come from streams seeded by
// (train.seed, k, step) alone, so a process that holds only party k draws exactly what one
// process holding every party draws for it: the federated router equals the single-process one.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "config/router_config.h"
#include "data/dataset.h"
#include "data/shards.h"
#include "router/router_examples.h"
#include "train/batch_stream.h"

namespace ddm {

struct Party {
  int cluster = 0;  // k
  std::shared_ptr<const Dataset> data;
  torch::Tensor indices;  // the party's examples in `data` (undefined: all of it)
};

struct PartyExampleOptions {
  int64_t batch = 64;  // B, split over the parties by prior
  double holdout = 0.05;
  uint64_t seed = 0;
  std::string what = "labels";  // names the targets in messages ("labels", "samples", "federated labels")
  Dist dist;                    // federated: each rank holds its own party, weights sum over ranks
  torch::Device device{torch::kCPU};
};

// The options router.* and train.seed give, for the targets named `what`.
PartyExampleOptions party_options(const RouterConfig& rc, int64_t seed, std::string what, Dist dist,
                                  torch::Device device);

class PartyExamples : public RouterExamples {
 public:
  // `parties`: the ones this process holds; `priors`: every party's pi_k (K = its size).
  PartyExamples(std::vector<Party> parties, std::vector<double> priors, const Schedule& sch, PartyExampleOptions opt);

  const ExampleInfo& info() const override { return info_; }
  GradientReduce reduce() const override { return GradientReduce::kSum; }
  RouterBatch batch(int64_t step, double lo, double hi, bool mass_times) override;
  RouterBatch heldout(int64_t n, double lo, double hi, uint64_t seed, bool with_dalpha) override;
  Json position() const override;
  void restore(const Json& position, int64_t step, const std::string& source) override;
  std::string describe() const override;

  // B_k of each party: B split by prior with the largest remainders, at least one each.
  static std::vector<int64_t> party_batches(int64_t batch, const std::vector<double>& priors);

 private:
  struct Held {
    Party party;
    torch::Tensor train, heldout;  // indices into party.data
    int64_t batch = 0;             // B_k
    std::unique_ptr<BatchStream> stream;
  };
  // Noisy points of the examples `idx[i]` of each held party i, t and noise from (seed, k).
  RouterBatch draw(const std::vector<torch::Tensor>& idx, double lo, double hi, uint64_t seed) const;

  Schedule sch_;
  PartyExampleOptions opt_;
  ExampleInfo info_;
  std::vector<Held> held_;
};

// Single-process labels: the manifest's shards of the data set as parties (no copy of the data).
std::vector<Party> shard_parties(std::shared_ptr<const Dataset> data, const ShardManifest& manifest);

}  // namespace ddm
