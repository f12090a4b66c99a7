// One optimisation step of the expert objective (design.md section 1: E ||net(a x0 + s eps, t) -
// target||^2, t uniform in [t_min, t_max]); the trainer and `ddm bench train` share it. Loading a
// trained expert for sampling is models/expert.h.
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "config/diffusion_config.h"
#include "config/model_config.h"
#include "config/train_config.h"
#include "diffusion/schedule.h"
#include "dist/data_parallel.h"
#include "models/checkpoint.h"
#include "models/network.h"
#include "train/ema.h"
#include "train/optimizer.h"

namespace ddm {

struct StepStats {
  torch::Tensor loss;  // scalar, detached: the global batch's mean under data parallelism
  double grad_norm = 0;
};

class ExpertStep {
 public:
  // Under data parallelism rank 0's initial weights are broadcast to every rank.
  ExpertStep(const ModelConfig& model, const DiffusionConfig& diffusion, const TrainConfig& train,
             const std::vector<int64_t>& sample_shape, torch::Device device, Dist dist = {});
  // One step on a batch x0 (model space, on the device); `step` counts from 0. Under data
  // parallelism x0 is this rank's share of the global batch (data_parallel.h): t and eps are drawn
  // for the global batch and sliced, and gradients are averaged over ranks before clipping.
  StepStats step(const torch::Tensor& x0, int64_t step);
  // Every tensor that must agree across ranks (weights and EMA).
  std::vector<torch::Tensor> state_tensors() const;
  double sync_seconds() const { return sync_->seconds(); }  // in gradient all_reduce so far
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
  Dist dist_;
  std::unique_ptr<GradientSync> sync_;
};

}  // namespace ddm
