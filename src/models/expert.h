// An expert: a denoising network trained on one shard (or on all the data: the unconditional
// baseline), with what its checkpoint says about it. Loading lives here, apart from training
// (train/expert_step.h), so that sampling reads experts without linking the trainer.
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "config/enums.h"
#include "diffusion/schedule.h"
#include "diffusion/solvers.h"
#include "models/network.h"

namespace ddm {

constexpr int kAllShards = -1;  // `--shard all`

// What every expert checkpoint records (and what sampling checks across experts).
struct ExpertMeta {
  int shard = kAllShards;
  int k = 1;
  std::string dataset;
  std::vector<int64_t> sample_shape;
  Schedule schedule;
  Prediction prediction = Prediction::kEps;
  double t_min = 1e-3;
  Json architecture;
  int64_t step = 0;

  Json to_json() const;
  static ExpertMeta from_json(const Json& j, const std::string& source);
};

// A trained expert, loaded for sampling (EMA weights, eval mode).
struct Expert {
  ExpertMeta meta;
  std::shared_ptr<Network> net;
  std::string path;
  // D(x, t), raw (the solver clips the x0 estimate).
  DenoiseFn denoiser() const;
};
Expert load_expert(const std::string& path, torch::Device device);

}  // namespace ddm
