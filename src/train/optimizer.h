// Adam and AdamW (decoupled weight decay), with the learning-rate warm-up and global-norm
// gradient clipping of DDPM training. Written here (a few lines of tensor ops) so that its
// state lives in ddm's checkpoints and resumes bit for bit.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "train/checkpoint.h"

namespace ddm {

class Adam {
 public:
  Adam(std::vector<torch::Tensor> params, const TrainConfig& cfg);
  // One update with learning rate `lr` from the parameters' .grad().
  void step(double lr);
  void zero_grad();
  int64_t steps() const { return step_; }

  void save(Checkpoint& ckpt, const std::string& prefix) const;
  void load(const Checkpoint& ckpt, const std::string& prefix);

 private:
  std::vector<torch::Tensor> params_, m_, v_;
  OptimizerKind kind_;
  double beta1_, beta2_, eps_, weight_decay_;
  int64_t step_ = 0;
};

// Linear warm-up from 0 to cfg.lr over cfg.warmup steps, then constant (DDPM). `step` counts
// from 0.
double learning_rate(const TrainConfig& cfg, int64_t step);
// Scales gradients so their global L2 norm is at most max_norm (0: no clipping); returns the
// norm before clipping.
double clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm);

}  // namespace ddm
