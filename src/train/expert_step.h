// One optimisation step of the expert objective (design.md section 1: E ||net(a x0 + s eps, t) -
// target||^2, t uniform in [t_min, t_max]); the trainer and `ddm bench train` share it. Loading a
// trained expert for sampling is models/expert.h.
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config_fwd.h"
#include "config/train_config.h"
#include "diffusion/schedule.h"
#include "models/checkpoint.h"
#include "models/network.h"
#include "train/ema.h"
#include "train/optimizer.h"

namespace ddm {

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
