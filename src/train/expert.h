// An expert: a denoising network trained on one shard (or on all the data: the unconditional
// baseline), with what its checkpoint says about it. `ExpertStep` is one optimisation step of
// the expert objective (design.md section 1: E ||net(a x0 + s eps, t) - target||^2, t uniform in
// [t_min, t_max]); the trainer and `ddm bench train` share it.
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "diffusion/schedule.h"
#include "diffusion/solvers.h"
#include "models/network.h"
#include "train/checkpoint.h"
#include "train/ema.h"
#include "train/optimizer.h"

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
  // D(x, t); `clip` clamps it to [-1, 1] (image data only).
  DenoiseFn denoiser(bool clip = false) const;
};
Expert load_expert(const std::string& path, torch::Device device);

struct StepStats {
  torch::Tensor loss;  // scalar, detached
  double grad_norm = 0;
};

class ExpertStep {
 public:
  ExpertStep(const Config& cfg, const std::vector<int64_t>& sample_shape, torch::Device device);
  // One step on a batch x0 (model space, on the device); `step` counts from 0.
  StepStats step(const torch::Tensor& x0, int64_t step);
  void save(Checkpoint& ckpt) const;
  void load(const Checkpoint& ckpt);

  std::shared_ptr<Network> net, ema_net;
  Schedule schedule;
  Prediction prediction;
  double t_min, t_max;

 private:
  TrainConfig train_;
  torch::Device device_;
  bool autocast_, channels_last_;
  std::unique_ptr<Optimizer> opt_;
  std::unique_ptr<Ema> ema_;
};

}  // namespace ddm
